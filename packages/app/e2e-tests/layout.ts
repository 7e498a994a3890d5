import { expect, Page } from '@playwright/test';

/** What the layout check found on a page: each item names the element and the text. */
export interface LayoutProblems {
  /** The page itself wider than the window (something pushes it sideways). */
  pageOverflow: string[];
  wrapped: string[];
  overflowing: string[];
  tooManyDigits: string[];
}

/**
 * Measures the DOM as laid out: a table cell whose word or number breaks across lines (a line may
 * end after a space, a hyphen, a dash, "=" or "/", never inside a word or number), a cell whose
 * content is wider than the cell, and any number on screen printed with more digits than the
 * formatter gives (more than four after the decimal point once leading zeros are dropped, or an
 * exponent).
 */
export async function layoutProblems(page: Page): Promise<LayoutProblems> {
  return page.evaluate(() => {
    const describe = (el: Element, text: string) => `${el.tagName.toLowerCase()}${el.closest('table')?.getAttribute('aria-label') ? ` in "${el.closest('table')!.getAttribute('aria-label')}"` : ''}: "${text.replace(/\s+/g, ' ').trim().slice(0, 80)}"`;
    const visible = (el: Element) => {
      const rect = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      return rect.width > 0 && rect.height > 0 && style.visibility !== 'hidden';
    };
    const wrapped: string[] = [];
    const overflowing: string[] = [];
    const pageOverflow: string[] = [];
    if (document.documentElement.scrollWidth > window.innerWidth + 1) {
      pageOverflow.push(`page is ${document.documentElement.scrollWidth} px wide in a ${window.innerWidth} px window`);
    }
    // A table wider than the card it sits in, or hidden behind a sideways scroll of its box (a
    // column out of sight is as bad as one cut off).
    for (const table of Array.from(document.querySelectorAll('table'))) {
      const box = table.parentElement;
      if (!box || !visible(table)) continue;
      const boxStyle = getComputedStyle(box);
      if (table.getBoundingClientRect().right > box.getBoundingClientRect().right + 1 && boxStyle.overflowX === 'visible') {
        overflowing.push(describe(table, `table "${table.getAttribute('aria-label') ?? ''}" wider than its card`));
      }
      if (['auto', 'scroll'].includes(boxStyle.overflowX) && box.scrollWidth > box.clientWidth + 1) {
        overflowing.push(describe(table, `table "${table.getAttribute('aria-label') ?? ''}" scrolls sideways (${box.scrollWidth} px in ${box.clientWidth} px)`));
      }
    }
    const tooManyDigits: string[] = [];
    for (const cell of Array.from(document.querySelectorAll('td, th'))) {
      if (!visible(cell)) continue;
      if (cell.scrollWidth > cell.clientWidth + 1) overflowing.push(describe(cell, cell.textContent ?? ''));
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const parent = node.parentElement;
        // Text cut with an ellipsis on purpose (digests, long names) carries its whole value in a title.
        if (!parent || !visible(parent) || getComputedStyle(parent).textOverflow === 'ellipsis') continue;
        const text = node.textContent ?? '';
        // A token is what may not break: a line may end after a space, a hyphen, a dash, "=" or "/".
        for (const match of text.matchAll(/[^\s\-–—=/]+[\-–—=/]?/g)) {
          const range = document.createRange();
          range.setStart(node, match.index!);
          range.setEnd(node, match.index! + match[0].length);
          // One box per line the token occupies (inline boxes of the same line share a top).
          const tops = new Set(Array.from(range.getClientRects()).filter(r => r.width > 0).map(r => Math.round(r.top)));
          if (tops.size > 1) wrapped.push(describe(cell, match[0]));
        }
      }
    }
    const main = document.querySelector('main') ?? document.body;
    const text = (main as HTMLElement).innerText;
    for (const match of text.matchAll(/(?<![\w.:/-])(\d[\d,]*)\.(\d+)(?![\w.])/g)) {
      const [whole, integer, fraction] = match;
      const significantFraction = /^0+$/.test(integer.replace(/,/g, '')) ? fraction.replace(/^0+/, '') : fraction;
      if (significantFraction.length > 4) tooManyDigits.push(whole);
    }
    for (const match of text.matchAll(/(?<![\w])\d+(\.\d+)?e[-+]\d+\b/gi)) tooManyDigits.push(match[0]);
    return { pageOverflow, wrapped, overflowing, tooManyDigits };
  });
}

/** Fails with every problem listed, so one run shows all of them. */
export async function expectCleanLayout(page: Page, where: string) {
  const problems = await layoutProblems(page);
  expect.soft(problems.pageOverflow, `${where}: the page scrolls sideways`).toEqual([]);
  expect.soft(problems.wrapped, `${where}: words or numbers broken across lines`).toEqual([]);
  expect.soft(problems.overflowing, `${where}: cells whose content is wider than the cell`).toEqual([]);
  expect.soft(problems.tooManyDigits, `${where}: numbers with more digits than the formatter gives`).toEqual([]);
}

/** Waits until nothing on the page is loading (Backstage's Progress, skeletons). */
export async function settled(page: Page) {
  // Backstage's Progress shows its bar only after 250 ms, and until then is a hidden box with the same
  // test id: wait for neither to be left (a card that has just started loading again counts too).
  await page.waitForTimeout(600);
  await expect(page.locator('[role="progressbar"], .MuiSkeleton-root, [data-testid="progress"]')).toHaveCount(0, { timeout: 60_000 });
}

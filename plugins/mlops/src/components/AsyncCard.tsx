import { InfoCard, Progress, ResponseErrorPanel } from '@backstage/core-components';
import { ReactElement } from 'react';
import { AsyncState } from '../hooks/useAsync';

/** A card while its data loads, the error when loading failed, and what `children` draws once it is there. */
export function AsyncCard<T>({
  title,
  state,
  children,
}: {
  title: string;
  state: AsyncState<T>;
  children: (value: T) => ReactElement | null;
}) {
  if (state.status === 'loading') {
    return (
      <InfoCard title={title}>
        <Progress />
      </InfoCard>
    );
  }
  if (state.status === 'error') {
    return <ResponseErrorPanel title={`${title} could not be loaded`} error={state.error} />;
  }
  return children(state.value);
}

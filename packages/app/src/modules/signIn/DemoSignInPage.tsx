import { Content, Header, InfoCard, Page, ProxiedSignInPage } from '@backstage/core-components';
import { configApiRef, IdentityApi, useApi } from '@backstage/frontend-plugin-api';
import { SignInPageProps } from '@backstage/plugin-app-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';

const CHOICE_KEY = 'modelrails:sign-in-as';

/** Sign-out forgets the choice, so the next visit asks again instead of signing in silently. */
function forgettingChoice(identity: IdentityApi): IdentityApi {
  return {
    getProfileInfo: () => identity.getProfileInfo(),
    getBackstageIdentity: () => identity.getBackstageIdentity(),
    getCredentials: () => identity.getCredentials(),
    signOut: async () => {
      localStorage.removeItem(CHOICE_KEY);
      await identity.signOut();
    },
  };
}

/**
 * The demo's sign-in: the guest (ML Platform, may do everything), or one of the demo's people
 * (`auth.providers.demo-users.users`) to see what an owner may do and what someone else may not.
 */
export function DemoSignInPage(props: SignInPageProps) {
  const config = useApi(configApiRef);
  const users = config.getOptionalStringArray('auth.providers.demo-users.users') ?? [];
  const [choice, setChoice] = useState<string | null>(() => localStorage.getItem(CHOICE_KEY));
  const choose = (who: string) => {
    localStorage.setItem(CHOICE_KEY, who);
    setChoice(who);
  };
  const again = () => {
    localStorage.removeItem(CHOICE_KEY);
    setChoice(null);
  };

  if (choice) {
    return (
      <ProxiedSignInPage
        onSignInSuccess={identity => props.onSignInSuccess(forgettingChoice(identity))}
        provider={choice === 'guest' ? 'guest' : 'demo-users'}
        headers={choice === 'guest' ? undefined : { 'x-modelrails-demo-user': choice }}
        ErrorComponent={({ error }) => (
          <Page themeId="home">
            <Header title="ModelRails" />
            <Content>
              <Typography role="alert">Sign-in as {choice} failed: {error?.message}</Typography>
              <Button variant="contained" color="primary" onClick={again}>
                Choose again
              </Button>
            </Content>
          </Page>
        )}
      />
    );
  }
  return (
    <Page themeId="home">
      <Header title="ModelRails" subtitle="Sign in to the demo" />
      <Content>
        <Grid container spacing={3}>
          <Grid item xs={12} md={4}>
            <InfoCard title="Guest" subheader="ML Platform: may approve promotions and control every model's rollouts">
              <Button variant="contained" color="primary" onClick={() => choose('guest')}>
                Enter
              </Button>
            </InfoCard>
          </Grid>
          {users.length > 0 && (
            <Grid item xs={12} md={8}>
              <InfoCard title="Demo people" subheader="Owners may act on their own team's models only">
                <Box display="flex" flexWrap="wrap" style={{ gap: 8 }}>
                  {users.map(user => (
                    <Button key={user} variant="outlined" onClick={() => choose(user)} aria-label={`Sign in as ${user}`}>
                      {user}
                    </Button>
                  ))}
                </Box>
              </InfoCard>
            </Grid>
          )}
        </Grid>
      </Content>
    </Page>
  );
}

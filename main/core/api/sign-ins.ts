// Entra ID sign-in from the app's window. A saved Entra connection that has no usable token in its keychain
// entry asks the person with a device code: the prompt goes to every window as a 'signin' event (the renderer
// shows the code and a link to the page where it is entered), its end as another, and connections.cancelSignIn
// abandons it. A device code rather than the browser flow because it works the same in both shells: web mode's
// server may have no display or another desktop session than the browser showing the page, and the page the
// code is entered on opens from an ordinary link in either. The token cache goes where the command line keeps
// it: the connection's keychain entry, through ConnectionStore's own saver (store.open and store.test use it).
import { randomUUID } from 'node:crypto';
import type { SignInEvent, SignInSubject } from '../../../shared/api';
import type { SavedConnection } from '../../../shared/connections';
import type { OpenConnectionOptions } from '../connections/store';
// Types only: the Azure SDK and MSAL load when an Azure connection is opened.
import type { EntraInteraction } from '../providers/azure-blob';

export class SignIns {
  /** Sign-ins waiting for the person, by id: how to abandon each. */
  private readonly waiting = new Map<string, () => void>();

  constructor(private readonly announce: (event: SignInEvent) => void) {}

  /** What opening this saved connection needs to sign in from the window (nothing unless it uses Entra ID). */
  openOptions(connection: SavedConnection): Pick<OpenConnectionOptions, 'entra'> {
    if (connection.spec.kind !== 'azure-blob' || connection.spec.auth !== 'entra') return {};
    return { entra: this.interaction({ connectionId: connection.id, connectionName: connection.name }) };
  }

  /** How Azure OpenAI (the summaries' fallback) signs in with Entra ID from the window. */
  forSummaries(): EntraInteraction {
    return this.interaction({ connectionId: 'summaries-azure-openai', connectionName: 'Azure OpenAI (summaries)' });
  }

  /** Abandons a waiting sign-in; one that has ended already (or never was) is left alone. */
  cancel(signInId: string): void {
    this.waiting.get(signInId)?.();
  }

  /** Abandons every waiting sign-in (the app is closing: nobody is left to enter a code). */
  cancelAll(): void {
    for (const cancel of [...this.waiting.values()]) cancel();
  }

  /**
   * One opening's interaction. Its credential runs one sign-in at a time (MsalTokenCredential shares one among
   * its callers), so the prompt belongs to the sign-in started last.
   */
  private interaction(about: Omit<SignInSubject, 'signInId'>): EntraInteraction {
    let current: string | undefined;
    return {
      flow: 'device-code',
      onSignInStarted: (cancel) => {
        const signInId = randomUUID();
        current = signInId;
        this.waiting.set(signInId, cancel);
        return (error) => {
          this.waiting.delete(signInId);
          this.announce(
            error
              ? { type: 'failed', signInId, ...about, error: error.toJSON() }
              : { type: 'completed', signInId, ...about },
          );
        };
      },
      onDeviceCode: (prompt) =>
        this.announce({
          type: 'prompt',
          signInId: current ?? randomUUID(),
          ...about,
          verificationUri: prompt.verificationUri,
          userCode: prompt.userCode,
          message: prompt.message,
          expiresAt: Date.now() + prompt.expiresInSeconds * 1000,
        }),
    };
  }
}

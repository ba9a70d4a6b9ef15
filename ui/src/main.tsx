// The wallet's window: the error banner and progress line, then onboarding, the settings, the
// lock screen, or the wallet's screens (home, send, session, history). State lives in `state.ts`.
import './style.css';
import { render } from 'preact';
import { CallsApproval, calling, PairingApproval, pairing, watchPairings } from './apps';
import { ipc } from './ipc';
import { Frame, Home, LockScreen } from './home';
import { History } from './history';
import { Contacts, Tokens } from './lists';
import { Onboarding } from './onboarding';
import { Button, ErrorBanner, Progress } from './parts';
import { Send } from './send';
import { SessionScreen } from './session';
import { Settings } from './settings';
import { checkUpdate, UpdateOffer } from './updates';
import { act, banner, session, start, tab, wallet } from './state';

function Screen() {
  switch (tab.value) {
    case 'send':
      return <Send />;
    case 'session':
      return <SessionScreen />;
    case 'history':
      return <History />;
    case 'tokens':
      return <Tokens />;
    case 'contacts':
      return <Contacts />;
    default:
      return <Home />;
  }
}

function App() {
  const keychain = banner.value?.kind === 'Keychain';
  return (
    <>
      <ErrorBanner />
      {keychain ? (
        <Button testid="retry-keychain" onClick={() => void act('Opening the keychain…', () => ipc.retryKeychain())}>
          Retry
        </Button>
      ) : null}
      <Progress />
      <UpdateOffer />
      {calling.value && wallet.value?.unlocked ? (
        // An app asks for calls beyond its session: put to the user before anything else.
        <main class="stack">
          {/* A new prompt is a new form: no PIN typed for another carries over. */}
          <CallsApproval key={calling.value.id} />
        </main>
      ) : pairing.value && wallet.value?.unlocked ? (
        // An app asks to pair: the approval comes first, over whichever screen was open.
        <main class="stack">
          <PairingApproval key={pairing.value.id} />
        </main>
      ) : tab.value === 'settings' ? (
        // Reachable while locked (from the lock screen): its actions each ask for the PIN, and it
        // shows no address, balance or session.
        <Settings />
      ) : wallet.value && session.value && !wallet.value.unlocked ? (
        <LockScreen />
      ) : !wallet.value || !session.value ? (
        <Onboarding />
      ) : (
        <Frame>
          <Screen />
        </Frame>
      )}
    </>
  );
}

render(<App />, document.getElementById('app')!);
start();
watchPairings();
// Once at start: a newer version is offered, never installed unasked.
void checkUpdate(true);

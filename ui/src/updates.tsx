// Updates: the offer (version, notes, Install) when the release endpoint has a newer version,
// checked at start and from About; installed only on the user's word, then a restart.
import { signal } from '@preact/signals';
import type { UpdateInfo } from './bindings';
import { ipc } from './ipc';
import { Button } from './parts';
import { act } from './state';

/** The update offered, if any; `installed` once it is in place (it runs after a restart). */
export const offered = signal<UpdateInfo | null>(null);
export const installed = signal<string | null>(null);
/** The last check's answer, for About: null before any. */
export const checked = signal<'current' | 'offered' | null>(null);

/** Asks for an update; `quiet` (the check at start) keeps a failure out of the banner. */
export async function checkUpdate(quiet: boolean) {
  const ask = async () => {
    const info = await ipc.checkUpdate();
    offered.value = info;
    checked.value = info ? 'offered' : 'current';
  };
  if (quiet) await ask().catch(() => undefined);
  else await act('Checking for updates…', ask);
}

/** The offer, above every screen (it holds nothing of the wallet). */
export function UpdateOffer() {
  const u = offered.value;
  if (!u) return null;
  const done = installed.value;
  return (
    <section class="card" data-testid="update-offer" aria-label="Update">
      <div class="row spread">
        <strong data-testid="update-version">
          {done ? `Version ${done} is installed` : `Version ${u.version} is available`}
        </strong>
        <span class="note">you have {u.currentVersion}</span>
      </div>
      {u.notes && !done ? (
        <p class="note" data-testid="update-notes">
          {u.notes}
        </p>
      ) : null}
      {done ? (
        <div class="row" data-testid="update-installed">
          <span class="note">It runs after a restart.</span>
          <Button testid="update-restart" onClick={() => void ipc.restartApp()}>
            Restart now
          </Button>
        </div>
      ) : (
        <div class="row">
          <Button
            testid="update-install"
            onClick={() => void act(`Downloading and checking version ${u.version}…`, async () => (installed.value = (await ipc.installUpdate()).version))}
          >
            Install
          </Button>
          <Button testid="update-later" kind="ghost" onClick={() => (offered.value = null)}>
            Later
          </Button>
        </div>
      )}
    </section>
  );
}

/** About's line: check now, and what the last check found. */
export function UpdateCheck() {
  return (
    <div class="row">
      <Button testid="update-check" kind="secondary" icon="refresh" onClick={() => void checkUpdate(false)}>
        Check for updates
      </Button>
      <span class="note" data-testid="update-status">
        {checked.value === 'current' ? 'This is the latest version.' : checked.value === 'offered' ? `Version ${offered.value?.version ?? ''} is available.` : ''}
      </span>
    </div>
  );
}

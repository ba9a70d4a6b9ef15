// The window's state, in one place: what the backend last said, which screen is shown, the
// error banner, and the actions every screen uses. Views read these signals and re-render
// where they are read; typed input lives in the views' own state and is never rebuilt.
import { computed, signal } from '@preact/signals';
import { isAppError, showError, showKind } from './errors';
import { ipc } from './ipc';
import type { ActivityInfo, BalanceInfo, NetworkInfo, SessionInfo, SettingsInfo, WalletInfo } from './bindings';

export type Tab = 'home' | 'send' | 'session' | 'history' | 'settings' | 'tokens' | 'contacts';

export interface Banner {
  title: string;
  next: string;
  kind: string;
  detail: string;
}

export const wallet = signal<WalletInfo | null>(null);
export const session = signal<SessionInfo | null>(null);
export const network = signal<NetworkInfo | null>(null);
export const settings = signal<SettingsInfo | null>(null);
export const balances = signal<BalanceInfo[] | null>(null);
/** Whether the chain has the wallet's account (null: not read, or the node did not answer). */
export const deployed = signal<boolean | null>(null);
export const activity = signal<ActivityInfo[]>([]);
export const banner = signal<Banner | null>(null);
/** What the window is waiting for, in words ("Creating your wallet…"); announced. */
export const working = signal<string | null>(null);
export const tab = signal<Tab>('home');
/** The screen the settings were opened from: their Back button returns there. */
let before: Tab = 'home';
export function openSettings() {
  if (tab.value !== 'settings') before = tab.value;
  tab.value = 'settings';
}
export function closeSettings() {
  tab.value = before;
}
/** When the session card was last read (for the live countdown). */
export const loadedAt = signal(Date.now());
/** Ticks every second: the countdown reads it. */
export const now = signal(Date.now());
/** The current minute, in Unix seconds: what relative times read, so the activity lines redraw
 * once a minute, not every second. */
export const minute = computed(() => Math.floor(now.value / 60_000) * 60);

/** Whether the window may hold the wallet's data: it has one and it is unlocked. */
export function isOpen() {
  return wallet.value?.unlocked === true;
}

export function fail(error: unknown) {
  // Locked, an error of something started before the lock says what failed, not its detail
  // (amounts, hashes): the lock screen shows nothing of the wallet.
  if (wallet.value && !isOpen()) {
    const kind = isAppError(error) ? error.kind : 'Internal';
    banner.value = { ...(isAppError(error) ? showKind(error) : { title: 'Something went wrong', next: 'Try again.' }), kind, detail: '' };
    return;
  }
  if (isAppError(error)) {
    banner.value = { ...showError(error), kind: error.kind, detail: error.message };
  } else {
    banner.value = { title: 'Something went wrong', next: 'Try again.', kind: 'Internal', detail: String(error) };
  }
}

/** Reads everything the screens show. A missing wallet is not an error. */
export async function reload() {
  network.value = await ipc.getNetwork();
  settings.value = await ipc.getSettings().catch(() => null);
  try {
    wallet.value = await ipc.getWallet();
    session.value = await ipc.getSessionView();
    loadedAt.value = Date.now();
  } catch (e) {
    wallet.value = null;
    session.value = null;
    balances.value = null;
    if (isAppError(e) && e.kind !== 'NoWallet') fail(e);
  }
  // Locked, the window holds nothing of the wallet: no history, no balances.
  if (wallet.value && !wallet.value.unlocked) {
    activity.value = [];
    balances.value = null;
    return;
  }
  const lines = await ipc.listActivity();
  if (wallet.value && !isOpen()) return;
  activity.value = lines;
  if (wallet.value) {
    void refreshBalances();
    deployed.value = wallet.value.deployable ? await ipc.isDeployed().catch(() => null) : null;
  }
}

export async function refreshBalances() {
  try {
    const read = await ipc.getBalances();
    // Read before a lock, answered after it: dropped.
    if (isOpen()) balances.value = read;
  } catch {
    // The balances keep their last value; the status line reports a node that is down.
  }
}

/**
 * Runs a user action: clears the banner, says what is happening, reloads after it. Resolves
 * true when it succeeded (the caller clears its secrets then).
 */
export async function act(what: string, f: () => Promise<unknown>, then?: Tab): Promise<boolean> {
  banner.value = null;
  working.value = what;
  const from = tab.value;
  try {
    await f();
    await reload();
    // To `then`, unless the user went elsewhere meanwhile.
    if (then && tab.value === from) tab.value = then;
    return true;
  } catch (e) {
    fail(e);
    // Biometric unlock turned itself off: the screens stop offering it.
    if (isAppError(e) && e.kind === 'BiometricsChanged') await reload().catch(() => undefined);
    return false;
  } finally {
    working.value = null;
  }
}

export function tokenDecimals(token: string) {
  return network.value?.tokens.find((t) => t.symbol === token || t.address === token)?.decimals ?? 18;
}

// Auto-lock: after the settings' idle time without a key press, click or touch, the session
// key is closed. A timer that fires late (the machine slept) locks at once.
let lastUse = Date.now();
export function noteUse() {
  lastUse = Date.now();
}

export function idleCheck(at: number) {
  // Settings that could not be read lock after the default 15 minutes, not never.
  const limit = settings.value ? settings.value.autoLockSeconds : 15 * 60;
  if (!limit || !wallet.value?.unlocked) return;
  if (at - lastUse >= limit * 1000) {
    lastUse = at;
    void act('Locking…', () => ipc.lock(), 'home');
  }
}

export function start() {
  for (const event of ['keydown', 'pointerdown', 'wheel', 'touchstart']) {
    window.addEventListener(event, noteUse, { passive: true, capture: true });
  }
  setInterval(() => {
    now.value = Date.now();
    idleCheck(now.value);
  }, 1000);
  void ipc.onSessionChanged((info) => {
    session.value = info;
    loadedAt.value = Date.now();
    // Once nothing is in flight: a refresh may have settled a transaction left pending, or found
    // tokens received. (Busy flags toggle several times per action: one read per quiet state.)
    if (wallet.value?.unlocked && !Object.values(info.busy).some(Boolean)) {
      ipc.listActivity().then((list) => {
        if (isOpen()) activity.value = list;
      }, fail);
      void refreshBalances();
    }
  });
  reload().catch(fail);
}

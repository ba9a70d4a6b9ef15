// The one place the UI talks to the backend: the generated bindings, unwrapped so a failed
// command throws its tagged AppError.
import { commands, events } from './bindings';
import type { AppError, CallsPrompt, ContactInput, GasInput, LogLevel, NetworkChoice, PairingPrompt, SessionInfo } from './bindings';

type Res<T> = { status: 'ok'; data: T } | { status: 'error'; error: AppError };

async function unwrap<T>(call: Promise<Res<T>>): Promise<T> {
  const result = await call;
  if (result.status === 'error') throw result.error;
  return result.data;
}

export const ipc = {
  getWallet: () => unwrap(commands.getWallet()),
  createWallet: (pin: string, ownClass: boolean) => unwrap(commands.createWallet(pin, ownClass)),
  importWallet: (address: string, ownerKey: string, pin: string) =>
    unwrap(commands.importWallet(address, ownerKey, pin)),
  // A null PIN asks for biometric unlock instead (when it is on).
  unlock: (pin: string | null) => unwrap(commands.unlock(pin)),
  enableBiometrics: (pin: string) => unwrap(commands.enableBiometrics(pin)),
  disableBiometrics: () => unwrap(commands.disableBiometrics()),
  lock: () => unwrap(commands.lock()),
  isDeployed: () => unwrap(commands.isDeployed()),
  deployWallet: (pin: string) => unwrap(commands.deployWallet(pin)),
  retryKeychain: () => unwrap(commands.retryKeychain()),
  getSessionView: () => unwrap(commands.getSessionView()),
  setUpSession: (request: Parameters<typeof commands.setUpSession>[0], pin: string | null) =>
    unwrap(commands.setUpSession(request, pin)),
  registerSession: (request: Parameters<typeof commands.registerSession>[0], pin: string | null) =>
    unwrap(commands.registerSession(request, pin)),
  transfer: (token: string, recipient: string, amount: string, acceptedFee: string | null = null) =>
    unwrap(commands.transfer(token, recipient, amount, acceptedFee)),
  /** Same key and rules, expiring `durationSeconds` from now (null PIN: biometrics). */
  extendSession: (durationSeconds: number, pin: string | null) => unwrap(commands.extendSession(durationSeconds, pin)),
  /** A new key with the last session's rules (null PIN: biometrics). */
  renewSession: (durationSeconds: number, pin: string | null) => unwrap(commands.renewSession(durationSeconds, pin)),
  revokeSession: (pin: string | null) => unwrap(commands.revokeSession(pin)),
  clearSession: (pin: string | null, revoke: boolean) => unwrap(commands.clearSession(pin, revoke)),
  refreshStatus: () => unwrap(commands.refreshStatus()),
  listActivity: () => commands.listActivity(),
  getNetwork: () => commands.getNetwork(),
  setNetwork: (name: string) => unwrap(commands.setNetwork(name)),
  getSettings: () => unwrap(commands.getSettings()),
  /** `pin`: needed to move the node or paymaster of a network that holds a wallet (null: biometrics). */
  switchNetwork: (choice: NetworkChoice, pin: string | null = null) => unwrap(commands.switchNetwork(choice, pin)),
  saveGasSettings: (input: GasInput) => unwrap(commands.saveGasSettings(input)),
  /** Moves an older CHIPI account to CHIPI v33 (null PIN: biometrics). */
  upgradeAccount: (pin: string | null) => unwrap(commands.upgradeAccount(pin)),
  setDirectUnsignedFees: (allowed: boolean, pin: string | null = null) => unwrap(commands.setDirectUnsignedFees(allowed, pin)),
  quoteTransfer: (token: string, recipient: string, amount: string) =>
    unwrap(commands.quoteTransfer(token, recipient, amount)),
  setAutoLock: (minutes: number) => unwrap(commands.setAutoLock(minutes)),
  setLogLevel: (level: LogLevel) => unwrap(commands.setLogLevel(level)),
  getDiagnostics: () => commands.getDiagnostics(),
  openLogsFolder: () => unwrap(commands.openLogsFolder()),
  exportBackup: (pin: string, passphrase: string) => unwrap(commands.exportBackup(pin, passphrase)),
  importBackup: (backup: string, passphrase: string, pin: string) => unwrap(commands.importBackup(backup, passphrase, pin)),
  removeWallet: (pin: string, backedUp: boolean) => unwrap(commands.removeWallet(pin, backedUp)),
  refreshHistory: () => unwrap(commands.refreshHistory()),
  getBalances: () => unwrap(commands.getBalances()),
  openExplorer: (transactionHash: string) => unwrap(commands.openExplorer(transactionHash)),
  executeWithSession: (calls: Parameters<typeof commands.executeWithSession>[0]) => unwrap(commands.executeWithSession(calls)),
  tokenPreview: (address: string) => unwrap(commands.tokenPreview(address)),
  addToken: (address: string) => unwrap(commands.addToken(address)),
  setTokenHidden: (address: string, hidden: boolean) => unwrap(commands.setTokenHidden(address, hidden)),
  getAddressBook: () => commands.getAddressBook(),
  saveContact: (input: ContactInput) => unwrap(commands.saveContact(input)),
  removeContact: (address: string) => unwrap(commands.removeContact(address)),
  setNotifications: (on: boolean) => unwrap(commands.setNotifications(on)),
  checkUpdate: () => unwrap(commands.checkUpdate()),
  installUpdate: () => unwrap(commands.installUpdate()),
  restartApp: () => commands.restartApp(),
  listApps: () => unwrap(commands.listApps()),
  /** Revokes an app's session on chain (null PIN: biometrics) and forgets the app. */
  revokeApp: (id: string, pin: string | null) => unwrap(commands.revokeApp(id, pin)),
  disconnectApp: (id: string) => unwrap(commands.disconnectApp(id)),
  setWalletApi: (enabled: boolean) => unwrap(commands.setWalletApi(enabled)),
  pendingPairing: () => commands.pendingPairing(),
  /** The user's answer to the pairing on screen (null PIN: biometrics). */
  answerPairing: (id: string, approve: boolean, pin: string | null) => unwrap(commands.answerPairing(id, approve, pin)),
  pendingCalls: () => commands.pendingCalls(),
  /** The user's answer to calls outside an app's session (null PIN: biometrics): the hash when sent. */
  answerCalls: (id: string, approve: boolean, pin: string | null) => unwrap(commands.answerCalls(id, approve, pin)),
  onCallsChanged: (f: (prompt: CallsPrompt | null) => void) => events.callsChanged.listen((e) => f(e.payload)),
  onPairingChanged: (f: (prompt: PairingPrompt | null) => void) => events.pairingChanged.listen((e) => f(e.payload)),
  onSessionChanged: (f: (info: SessionInfo) => void) => events.sessionChanged.listen((e) => f(e.payload)),
};

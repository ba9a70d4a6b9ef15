// What the UI says for each error kind, and what to do next. It switches on `kind`, never on text;
// where the error carries fields (the token and what is left of a limit, the seconds to wait, the
// field at fault) the words are made from them. The table is typed by the bindings' union of
// kinds: a kind added in Rust does not compile here until it has its words.

import type { AppError, Field } from './bindings';

export type ErrorKind = AppError['kind'];

export interface AppErrorLike {
  kind: string;
  message: string;
  [field: string]: unknown;
}

export interface Shown {
  title: string;
  next: string;
}

const byKind: Record<ErrorKind, Shown> = {
  WalletUnsupported: { title: 'This wallet has no session support', next: 'Use a CHIPI wallet to set up sessions.' },
  SessionExpired: { title: 'The session expired', next: 'Set up a new session.' },
  SessionRevoked: { title: 'The session was revoked', next: 'Set up a new session.' },
  SessionNotRegistered: { title: 'The session is not registered yet', next: 'Finish setting up the session.' },
  NoSession: { title: 'No session', next: 'Set up a session first.' },
  SessionExists: { title: 'A session is already set up', next: 'Revoke or clear it first.' },
  CallsExhausted: { title: 'No calls left in this session', next: 'Set up a new session.' },
  EntrypointNotAllowed: { title: 'This session may not do that', next: 'Set up a session that allows it.' },
  SpendingLimit: { title: 'Over the spending limit', next: 'Send less, or wait for the window to reset.' },
  WrongPin: { title: 'Wrong PIN', next: 'Check the PIN and try again.' },
  Corrupted: { title: 'Damaged or unreadable data', next: 'This is not a wrong PIN. If a stored key is damaged, restore the wallet from its backup.' },
  TooManyAttempts: { title: 'Too many wrong PINs', next: 'Wait a moment, then try again.' },
  NotConfirmed: { title: 'Not confirmed', next: 'Confirm to continue.' },
  BiometricsUnavailable: { title: 'Biometric unlock is not available', next: 'Use your PIN.' },
  BiometricsChanged: { title: 'Biometric unlock was turned off', next: 'It no longer opens this wallet (the enrolled fingerprints may have changed). Use your PIN, then turn it on again in Settings.' },
  Locked: { title: 'Wallet locked', next: 'Unlock it with your PIN.' },
  NoWallet: { title: 'No wallet yet', next: 'Create or import a wallet.' },
  WrongChain: { title: 'The node is on another chain', next: 'Open Settings and pick the node of this network (or the network of this node).' },
  Network: { title: 'Cannot reach the network', next: 'Check the connection and try again.' },
  Paymaster: { title: 'The sponsor refused', next: 'Try again later.' },
  PaymasterApiKey: { title: 'The paymaster wants an API key', next: 'Set the key in Settings, or choose the gasless fee mode (you pay the fee in a token).' },
  PaymasterTampered: { title: 'The sponsor altered the transaction', next: 'Nothing was signed. Check the sponsor settings.' },
  SessionStillActive: { title: 'The session is still active', next: 'Revoke it first, or confirm with your PIN to forget it.' },
  Transaction: { title: 'The transaction failed', next: 'Check the activity list for details.' },
  Keychain: { title: 'The keychain is locked or unavailable', next: 'Unlock your keychain, then retry.' },
  Storage: { title: 'The wallet could not save its settings', next: 'Check the disk space and permissions, then try again.' },
  Update: { title: 'The update was not installed', next: 'Nothing changed: this version keeps running. Try again later.' },
  InvalidInput: { title: 'Check your input', next: 'Correct the highlighted field.' },
  Internal: { title: 'Something went wrong', next: 'Try again.' },
};

function isKind(kind: string): kind is ErrorKind {
  return Object.prototype.hasOwnProperty.call(byKind, kind);
}

const fieldWords: Record<Field, string> = {
  pin: 'PIN',
  passphrase: 'passphrase',
  address: 'address',
  contact: 'contact',
  key: 'private key',
  amount: 'amount',
  session: 'session duration and calls',
  limit: 'spending limit',
  url: 'address of the service',
  chainId: 'chain id',
  network: 'network name',
  apiKey: 'API key',
  fee: 'fee',
  backup: 'backup file',
  call: 'call',
  message: 'message to sign',
};

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

function withToken(amount: string, token: string | null): string {
  return token ? `${amount} ${token}` : amount;
}

/** The words of a kind that carries fields, or null to use the kind's own. */
function fromFields(error: AppErrorLike): Shown | null {
  switch (error.kind) {
    case 'SpendingLimit': {
      const token = text(error.token);
      const amount = text(error.amount);
      const left = text(error.left);
      if (amount && left) {
        const perTransfer = error.per === 'transfer';
        const limit = `at most ${withToken(left, token)} ${perTransfer ? 'per transfer' : 'in this window'}`;
        const next = perTransfer ? 'Send less.' : 'Send less, or wait for the window to reset.';
        return {
          title: 'Over the spending limit',
          next: `${withToken(amount, token)} is more than this session allows: ${limit}. ${next}`,
        };
      }
      if (token && !token.startsWith('0x')) {
        return { title: `This session cannot send ${token}`, next: `It has no spending limit for ${token}: set up a session that includes it.` };
      }
      return null;
    }
    case 'TooManyAttempts':
      return typeof error.wait === 'number'
        ? { title: 'Too many wrong PINs', next: `Wait ${error.wait} s, then try again.` }
        : null;
    case 'InvalidInput': {
      const field = text(error.field) as Field | null;
      return field && field in fieldWords
        ? { title: `Check the ${fieldWords[field]}`, next: 'Correct it and try again.' }
        : null;
    }
    case 'SessionExpired':
      return typeof error.expired === 'number'
        ? {
            title: 'The session expired',
            next: `It ended at ${new Date(error.expired * 1000).toLocaleString()}. Set up a new session.`,
          }
        : null;
    default:
      return null;
  }
}

/** The kind's words alone, without the amounts, tokens or times its fields would add. */
export function showKind(error: AppErrorLike): Shown {
  return isKind(error.kind) ? byKind[error.kind] : byKind.Internal;
}

export function showError(error: AppErrorLike): Shown {
  return fromFields(error) ?? (isKind(error.kind) ? byKind[error.kind] : byKind.Internal);
}

export function isAppError(value: unknown): value is AppErrorLike {
  return typeof value === 'object' && value !== null && typeof (value as AppErrorLike).kind === 'string';
}

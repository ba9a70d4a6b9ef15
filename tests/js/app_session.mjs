// An app on the desktop wallet's local API: starknet.js's own WalletAccount (unchanged, from
// npm) over clients/js. Pairs as "Game" (the user approves in the app), sends three transfers
// inside its policy, then one over its limit and one to an entrypoint the policy does not name;
// prints a JSON line per step. After the line "again" on stdin (the user revoked it meanwhile),
// tries once more, then with its kept token over HTTP.
// Usage: node --experimental-websocket app_session.mjs WS_URL RPC_URL TOKEN RECIPIENT
import { createInterface } from 'node:readline';
import { RpcProvider, WalletAccount } from 'starknet';
import { LocalWallet } from '../../clients/js/dist/index.js';

const [url, nodeUrl, token, recipient] = process.argv.slice(2);
const out = (line) => console.log(JSON.stringify(line));
const unit = 10n ** 18n;
const policy = {
  contracts: { [token]: { name: 'Stark token', methods: [{ entrypoint: 'transfer' }] } },
  limits: [{ token, per_call: '2', per_window: '6', window_secs: 3600 }],
  duration_secs: 3600,
  max_calls: 10,
};
const refusal = async (account, call) => {
  try {
    await account.execute(call);
    return null;
  } catch (e) {
    return { code: e.code ?? null, data: e.data ?? String(e) };
  }
};
const transfer = (amount) => ({ contractAddress: token, entrypoint: 'transfer', calldata: [recipient, amount, 0] });

const wallet = await LocalWallet.connect({ url, name: 'Game', policy });
out({ step: 'paired', tokenLength: wallet.token.length });
const account = await WalletAccount.connect(new RpcProvider({ nodeUrl }), wallet);
const hashes = [];
for (let i = 0; i < 3; i++) hashes.push((await account.execute(transfer(unit))).transaction_hash);
const over = await refusal(account, transfer(3n * unit));
const approve = await refusal(account, { contractAddress: token, entrypoint: 'approve', calldata: [recipient, 1, 0] });
out({ step: 'sent', address: account.address, hashes, over, approve });

for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === 'again') break;
}
const closed = await refusal(account, transfer(1n));
// The kept token over HTTP (a WebSocket refused at the upgrade shows no code to a script).
const answer = await fetch(url.replace('ws://', 'http://'), {
  method: 'POST',
  headers: { authorization: `Bearer ${wallet.token}`, 'content-type': 'application/json' },
  body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'wallet_requestAccounts', params: {} }),
});
const byToken = { status: answer.status, ...(await answer.json()).error };
out({ step: 'after-revoke', closed, byToken });
wallet.close();
process.exit(0);

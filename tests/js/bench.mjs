// Times, in starknet.js, the client work the Rust bench `vs_starknet_js` times: parse a
// paymaster's typed data, hash it (SNIP-12), sign with the session key, encode the
// paymaster_executeTransaction body; and parse a batched status answer. Prints JSON.
import { readFileSync } from 'node:fs';
import { ec, num, typedData } from 'starknet';

const inputs = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const typedDataText = JSON.stringify(inputs.typedData);
const version = JSON.parse(readFileSync(new URL('./node_modules/starknet/package.json', import.meta.url), 'utf8')).version;

function executeWork() {
  const td = JSON.parse(typedDataText);
  const hash = typedData.getMessageHash(td, inputs.account);
  const { r, s } = ec.starkCurve.sign(hash, inputs.sessionKey);
  const publicKey = ec.starkCurve.getStarkKey(inputs.sessionKey);
  const signature = [num.toHex(publicKey), num.toHex(r), num.toHex(s), num.toHex(inputs.validUntil)];
  const body = JSON.stringify({
    jsonrpc: '2.0', id: 1, method: 'paymaster_executeTransaction', params: [
      { type: 'invoke', invoke: { user_address: inputs.account, typed_data: td, signature } },
      { version: '0x1', fee_mode: { mode: 'sponsored' } },
    ],
  });
  return { hash, signature, body };
}

function statusWork() {
  const answers = JSON.parse(inputs.statusAnswer);
  const byId = (id) => answers.find((a) => a.id === id).result;
  const data = byId(0).map((x) => BigInt(x));
  const n = Number(data[3]);
  const policy = byId(3).map((x) => BigInt(x));
  return {
    isActive: data[0] === 1n,
    validUntil: Number(data[1]),
    remainingCalls: Number(data[2]),
    allowed: data.slice(4, 4 + n),
    nonce: BigInt(byId(1)),
    timestamp: byId(2).timestamp,
    policy: { maxPerCall: policy[0] + (policy[1] << 128n), maxPerWindow: policy[2] + (policy[3] << 128n),
      window: Number(policy[4]), spent: policy[5] + (policy[6] << 128n), windowStart: Number(policy[7]) },
  };
}

function medianNs(rounds, perRound, f) {
  const samples = [];
  for (let i = 0; i < rounds; i++) {
    const start = process.hrtime.bigint();
    for (let j = 0; j < perRound; j++) f();
    samples.push(Number(process.hrtime.bigint() - start) / perRound);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

medianNs(3, 50, executeWork);
const executeNs = medianNs(15, 100, executeWork);
const statusNs = medianNs(15, 20000, statusWork);
const { hash, signature } = executeWork();
console.log(JSON.stringify({ version, executeNs, statusNs, hash: num.toHex(hash), signature }));

// Test oracle: reads one JSON request on stdin, answers with starknet.js on stdout.
// The Rust tests compare their hashes and signatures with these answers.
import { ec, hash, outsideExecution, typedData } from 'starknet';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const req = JSON.parse(Buffer.concat(chunks).toString('utf8'));

function answer(req) {
  switch (req.op) {
    case 'outside_execution_typed_data': {
      // What starknet.js builds for SNIP-9 v2 from {contractAddress, entrypoint, calldata} calls.
      const calls = req.calls.map((c) => ({
        contractAddress: c.to,
        entrypoint: c.entrypoint,
        calldata: c.calldata,
      }));
      const options = {
        caller: req.caller,
        execute_after: req.executeAfter,
        execute_before: req.executeBefore,
      };
      const td = outsideExecution.getTypedData(req.chainId, options, req.nonce, calls, '2');
      return { typedData: td, hash: typedData.getMessageHash(td, req.account) };
    }
    case 'typed_data_hash':
      return { hash: typedData.getMessageHash(req.typedData, req.account) };
    case 'poseidon':
      return { hash: hash.computePoseidonHashOnElements(req.elements) };
    case 'sign': {
      const sig = ec.starkCurve.sign(req.hash, req.privateKey);
      return { r: '0x' + sig.r.toString(16), s: '0x' + sig.s.toString(16) };
    }
    case 'public_key':
      return { publicKey: ec.starkCurve.getStarkKey(req.privateKey) };
    case 'selector':
      return { selector: hash.getSelectorFromName(req.name) };
    default:
      throw new Error(`unknown op ${req.op}`);
  }
}

process.stdout.write(JSON.stringify(answer(req)));

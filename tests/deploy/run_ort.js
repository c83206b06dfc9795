// tests/deploy/run_ort.js — runs ONNX models with ONNX Runtime (npm onnxruntime-node, CPU) for
// tests/deploy/test_onnx_export.cpp.
//
//   node run_ort.js MODEL.onnx INPUT.npy OUTPUT.npy [MODEL INPUT OUTPUT ...]
//
// Each model gets one session (default graph optimisations, as a user gets them; one thread);
// difference from excite is the exporter's, not a fused kernel's rounding); its first input is
// fed the .npy array (float32, C order) and its first output is written as a float32 .npy.
// ONNX Runtime is loaded from $EXCITE_ORT_DIR/node_modules (default: tools/ort/, which
// scripts/setup.sh fills with `npm install --ignore-scripts`).
'use strict';
const fs = require('fs');
const path = require('path');

const ortDir = process.env.EXCITE_ORT_DIR || path.join(__dirname, '..', '..', 'tools', 'ort');
let ort;
try {
  ort = require(path.join(ortDir, 'node_modules', 'onnxruntime-node'));
} catch (e) {
  console.error(`run_ort.js: cannot load onnxruntime-node from ${ortDir}/node_modules ` +
                `(run scripts/setup.sh, or: cd tools/ort && npm ci --ignore-scripts): ${e.message}`);
  process.exit(3);
}

function readNpy(file) {
  const buf = fs.readFileSync(file);
  if (buf.toString('latin1', 1, 6) !== 'NUMPY') throw new Error(`${file}: not a .npy file`);
  const major = buf[6];
  const hlen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', start, start + hlen);
  if (!header.includes("'<f4'")) throw new Error(`${file}: expected dtype <f4, header ${header}`);
  if (header.includes("'fortran_order': True")) throw new Error(`${file}: Fortran order is not supported`);
  const dims = header.match(/'shape': \(([^)]*)\)/)[1].split(',').map(s => s.trim()).filter(s => s).map(Number);
  const off = start + hlen;
  const data = new Float32Array(buf.buffer.slice(buf.byteOffset + off, buf.byteOffset + buf.length));
  return {dims, data};
}

function writeNpy(file, dims, data) {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${dims.join(', ')}${dims.length === 1 ? ',' : ''}), }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += ' '.repeat(pad % 64) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1; head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  fs.writeFileSync(file, Buffer.concat([head, Buffer.from(header, 'latin1'), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]));
}

async function main() {
  const args = process.argv.slice(2);
  if (args.length === 0 || args.length % 3 !== 0) {
    console.error('usage: node run_ort.js MODEL.onnx INPUT.npy OUTPUT.npy [...]');
    process.exit(2);
  }
  const sessions = new Map();
  for (let i = 0; i < args.length; i += 3) {
    const [model, input, output] = args.slice(i, i + 3);
    if (!sessions.has(model)) {
      sessions.set(model, await ort.InferenceSession.create(model, {
        intraOpNumThreads: 1, interOpNumThreads: 1}));
    }
    const session = sessions.get(model);
    const x = readNpy(input);
    const feeds = {[session.inputNames[0]]: new ort.Tensor('float32', x.data, x.dims)};
    const result = await session.run(feeds);
    const y = result[session.outputNames[0]];
    writeNpy(output, y.dims, y.data);
  }
}

main().catch(e => { console.error(`run_ort.js: ${e.message || e}`); process.exit(1); });

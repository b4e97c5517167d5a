// extract_aiconfigurator.mjs -- kernel tables of validation/kernels/ from NVIDIA's aiconfigurator
// performance database (the sources are named in validation/kernels/README.md).
//
//   node scripts/extract_aiconfigurator.mjs moe CHECKOUT > validation/kernels/moe_trtllm.csv
//   node scripts/extract_aiconfigurator.mjs allreduce CHECKOUT > validation/kernels/allreduce_serving_h200.csv
//   node scripts/extract_aiconfigurator.mjs nccl CHECKOUT   (the aic-* rows of validation/collectives.csv)
//
// moe: for each GPU, aic-core/src/aiconfigurator_core/systems/data/<gpu>/moe/trtllm/1.3.0rc20/
// moe_perf.parquet, every row of one GPU's whole layer (moe_tp_size 1, moe_ep_size 1), balanced
// routing, of a gated kernel (no min-latency or non-gated kernel source), in the dtypes the serving
// model has: bfloat16, fp8, fp8_block, nvfp4, w4a16_mxfp4, w4a8_mxfp4_mxfp8.
// allreduce: the H200's comm/trtllm/1.3.0rc20 and comm/vllm/0.14.0 custom_allreduce_perf.parquet,
// every row captured in a CUDA graph (vLLM's eager rows left out), message sizes in bytes (the files
// count bf16 elements).
// nccl: the nccl-tests sweeps of comm/nccl/<version>/nccl_perf.parquet on A100, H100, H200, B200, B300,
// one GB200 tray and one GB300 tray, half precision, at 64 KiB, 256 KiB and 1 MiB to 512 MiB doubling,
// as rows of validation/collectives.csv (bus bandwidth derived from the out-of-place time the files keep).
// Needs Node.js and the npm packages hyparquet and hyparquet-compressors (parquet is not read by
// any Debian package); the project itself reads only the CSVs this writes.
import { parquetReadObjects } from 'hyparquet'
import { compressors } from 'hyparquet-compressors'
import fs from 'fs'
import path from 'path'

const [table, root] = process.argv.slice(2)
if (!root || !['moe', 'allreduce', 'nccl'].includes(table)) {
  console.error('usage: node scripts/extract_aiconfigurator.mjs moe|allreduce|nccl AICONFIGURATOR_CHECKOUT')
  process.exit(2)
}
const data = 'aic-core/src/aiconfigurator_core/systems/data'
const num = v => (typeof v === 'bigint' ? Number(v) : v)
const round = v => Number(num(v).toPrecision(6))
async function read(rel) {
  const buf = fs.readFileSync(path.join(root, rel))
  return parquetReadObjects({ file: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength), compressors })
}

if (table === 'moe') {
  const gpus = [['h100', 'h100_sxm'], ['h200', 'h200_sxm'], ['b200', 'b200_sxm'], ['gb200', 'gb200'], ['b300', 'b300_sxm'],
    ['gb300', 'gb300']]
  const dtypes = new Set(['bfloat16', 'fp8', 'fp8_block', 'nvfp4', 'w4a16_mxfp4', 'w4a8_mxfp4_mxfp8'])
  console.log('gpu,version,dtype,kernel,hidden,inter,topk,experts,tokens,latency_ms')
  for (const [name, dir] of gpus) {
    const rows = (await read(`${data}/${dir}/moe/trtllm/1.3.0rc20/moe_perf.parquet`)).filter(r =>
      num(r.moe_tp_size) === 1 && num(r.moe_ep_size) === 1 && r.distribution === 'balanced' &&
      dtypes.has(r.moe_dtype) && !/min_latency|nongated/.test(r.kernel_source))
    rows.sort((a, b) => a.moe_dtype.localeCompare(b.moe_dtype) || num(a.hidden_size) - num(b.hidden_size) ||
      num(a.inter_size) - num(b.inter_size) || num(a.num_experts) - num(b.num_experts) ||
      num(a.topk) - num(b.topk) || num(a.num_tokens) - num(b.num_tokens))
    for (const r of rows)
      console.log([name, r.version, r.moe_dtype, r.kernel_source, num(r.hidden_size), num(r.inter_size),
        num(r.topk), num(r.num_experts), num(r.num_tokens), round(r.latency)].join(','))
  }
} else if (table === 'nccl') {
  // [name, folder, catalog gpu, system, fabric, nccl version, date, author, commit, label of the whole node, of part of it]
  const dec5 = ['2026-08-03', 'Tianhao Xu', 'dec5f4cd21b7a91c19fa3d23eb70988f3965fd47']
  const systems = [
    ['a100', 'a100_sxm', 'a100-80g', 'dgx-a100-80g', 'nvlink3', '2.27.3', '2026-07-24', 'Yimingl_Nvidia',
      '4fabb773643d961c9679e9af3544b74f95c87c8e', 'DGX/HGX A100 80GB ASSUMED', 'of a DGX/HGX A100 80GB ASSUMED'],
    ['h100', 'h100_sxm', 'h100-sxm', 'dgx-h100', 'nvlink4', '2.29.2', ...dec5,
      '8x H100 SXM NVSwitch node; DGX/HGX ASSUMED', 'of an 8x H100 SXM NVSwitch node; DGX/HGX ASSUMED'],
    ['h200', 'h200_sxm', 'h200', 'hgx-h200', 'nvlink4', '2.29.2', ...dec5, 'HGX H200 ASSUMED', 'of an HGX H200 ASSUMED'],
    ['b200', 'b200_sxm', 'b200', 'hgx-b200', 'nvlink5', '2.29.2', ...dec5, 'HGX/DGX B200 ASSUMED',
      'of an HGX/DGX B200 ASSUMED'],
    ['b300', 'b300_sxm', 'b300', 'hgx-b300', 'nvlink5', '2.29.2', ...dec5, 'HGX/DGX B300 ASSUMED',
      'of an HGX/DGX B300 ASSUMED'],
    ['gb200', 'gb200', 'gb200', 'gb200-nvl72', 'nvlink5', '2.29.2', ...dec5,
      'one GB200 NVL72 compute tray of 4 GPUs ASSUMED', 'of one GB200 NVL72 compute tray of 4 ASSUMED'],
    ['gb300', 'gb300', 'gb300', 'gb300-nvl72', 'nvlink5', '2.29.2', ...dec5,
      'one GB300 NVL72 compute tray of 4 GPUs ASSUMED', 'of one GB300 NVL72 compute tray of 4 ASSUMED']]
  const ops = { all_reduce: ['allreduce', 'ar', 2], all_gather: ['allgather', 'ag', 1],
    reduce_scatter: ['reducescatter', 'rs', 1], alltoall: ['alltoall', 'a2a', 1] }
  const sizes = [65536, 262144]
  for (let b = 1 << 20; b <= 1 << 29; b *= 2) sizes.push(b)
  const label = b => (b >= 1 << 20 ? `${b >> 20}M` : `${b >> 10}K`)
  const head = 'https://github.com/ai-dynamo/aiconfigurator/blob/095f58a51c4ca8e61b66ec108d86f223f8d559ce/'
  for (const [name, dir, gpu, sys, fabric, ver, date, author, commit, whole, part] of systems) {
    const rel = `${data}/${dir}/comm/nccl/${ver}/nccl_perf.parquet`
    const rows = (await read(rel)).filter(r => r.nccl_dtype === 'half')
    const full = Math.max(...rows.map(r => num(r.num_gpus)))
    for (const [opn, [op, short, factor]] of Object.entries(ops))
      for (const n of [...new Set(rows.map(r => num(r.num_gpus)))].sort((a, b) => a - b))
        for (const bytes of sizes) {
          const r = rows.find(x => x.op_name === opn && num(x.num_gpus) === n && 2 * num(x.message_size) === bytes)
          if (!r) continue
          const us = num(r.latency) * 1e3, busbw = bytes / (us * 1e-6) / 1e9 * factor * (n - 1) / n
          const src = `"ai-dynamo/aiconfigurator (NVIDIA), ${rel}, committed ${date} by ${author} (commit ${commit}); ` +
            `repo HEAD 095f58a51c4ca8e61b66ec108d86f223f8d559ce; ${head}${rel}"`
          const notes = `"device '${r.device}', NCCL ${r.version} (row field; folder ${ver}); ${opn}_perf run one size ` +
            `at a time as '-b S -e S -t ${n} -d half -w 40 -a 1 -n 100 (60 above 16 MiB) -c 0' (one process, ${n} ` +
            `threads, one GPU each) per collector/network/collect_nccl.py at HEAD - ASSUMED the data were collected ` +
            `that way; source stores only the out-of-place time column (latency in ms, here x1000 = time_us); busbw ` +
            `DERIVED, not printed: bytes/time*${factor === 2 ? '2(n-1)/n' : '(n-1)/n'}; bytes = message_size(elements)*2 ` +
            `(half); source labels the system only '${dir}' (${n === full ? whole : `${n} GPUs ${part}`})"`
          console.log([`aic-${name}-${short}-${n}g-${label(bytes)}`, op, gpu, sys, fabric, n, n, 'auto', bytes,
            busbw.toFixed(2), us.toFixed(2), src, notes].join(','))
        }
  }
} else {
  console.log('framework,version,kernel,gpus,bytes,latency_us')
  for (const fw of ['trtllm/1.3.0rc20', 'vllm/0.14.0']) {
    const rows = (await read(`${data}/h200_sxm/comm/${fw}/custom_allreduce_perf.parquet`)).filter(r =>
      r.allreduce_dtype === 'bfloat16' && r.backend !== 'vllm_eager')
    rows.sort((a, b) => num(a.num_gpus) - num(b.num_gpus) || num(a.message_size) - num(b.message_size))
    for (const r of rows)
      console.log([fw.split('/')[0], r.version, r.kernel_source, num(r.num_gpus), 2 * num(r.message_size),
        round(num(r.latency) * 1e3)].join(','))
  }
}

// node inclusive.js profA annA profB annB : inclusive µs/announce per function, diff sorted
const fs=require('fs');
function incl(file){const p=JSON.parse(fs.readFileSync(file));const byId=new Map(p.nodes.map(n=>[n.id,n]));const parent=new Map();
for(const n of p.nodes)for(const c of n.children||[])parent.set(c,n.id);
const out=new Map();
for(let i=0;i<p.samples.length;i++){const w=p.timeDeltas[i+1]??0;let id=p.samples[i];const seen=new Set();
 if(byId.get(id).callFrame.functionName==='(idle)')continue;
 while(id!==undefined){const f=byId.get(id).callFrame;const u=f.url.replace(/.*\/(dist|node_modules)\//,'$1/');const k=`${f.functionName||'(anon)'} ${u}:${f.lineNumber}`;if(!seen.has(k)){seen.add(k);out.set(k,(out.get(k)||0)+w);}id=parent.get(id);}}
return out;}
const [a,na,b,nb]=process.argv.slice(2);const A=incl(a),B=incl(b);
const keys=new Set([...A.keys(),...B.keys()]);const rows=[];
for(const k of keys){const x=(A.get(k)||0)/na,y=(B.get(k)||0)/nb;rows.push([k,x,y,y-x]);}
rows.sort((p,q)=>Math.abs(q[3])-Math.abs(p[3]));
for(const r of rows.slice(0,+process.argv[6]||60))console.log(r[1].toFixed(1).padStart(7),r[2].toFixed(1).padStart(7),r[3].toFixed(1).padStart(7),r[0]);

// tsc compiles only TypeScript; the web pages and other static files are copied beside it.
const fs = require('node:fs');
const path = require('node:path');

const src = path.join(__dirname, '..', 'src');
const dist = path.join(__dirname, '..', 'dist');
const assetDirs = ['web'];
for (const dir of assetDirs) {
  const from = path.join(src, dir);
  if (!fs.existsSync(from)) continue;
  fs.cpSync(from, path.join(dist, dir), {
    recursive: true,
    filter: (file) => fs.statSync(file).isDirectory() || !/\.ts$/.test(file),
  });
}

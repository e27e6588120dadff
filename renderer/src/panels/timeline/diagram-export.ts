import { saveFile } from '../../shell/save-file.ts';

/** The diagram as an SVG file: the same markup the panel draws. */
export function exportSvg(svg: SVGSVGElement, fileName: string): void {
  saveFile(`${fileName}.svg`, 'image/svg+xml', new XMLSerializer().serializeToString(svg));
}

/** The diagram as a PNG at twice its size (sharp on slides), drawn from the SVG on a canvas. */
export function exportPng(svg: SVGSVGElement, fileName: string): void {
  const url = URL.createObjectURL(new Blob([new XMLSerializer().serializeToString(svg)], { type: 'image/svg+xml' }));
  const img = new Image();
  img.onload = () => {
    const canvas = document.createElement('canvas');
    canvas.width = svg.width.baseVal.value * 2;
    canvas.height = svg.height.baseVal.value * 2;
    const ctx = canvas.getContext('2d')!;
    ctx.scale(2, 2);
    ctx.drawImage(img, 0, 0);
    URL.revokeObjectURL(url);
    canvas.toBlob((blob) => void blob?.arrayBuffer().then((b) => saveFile(`${fileName}.png`, 'image/png', new Uint8Array(b))), 'image/png');
  };
  img.src = url;
}

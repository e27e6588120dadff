import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readCapture } from '../../../../shared/timeline/pcap-reader.ts';
import { localizeMarkerDetail, localizeReadProblem } from './timeline-zh.ts';

describe('timeline messages in Chinese', () => {
  it("translates the reader's real messages about damaged files, keeping the numbers", () => {
    const truncated = readCapture(new Uint8Array(readFileSync(new URL('../../../../test/fixtures/captures/truncated.pcap', import.meta.url)))).problem!;
    const zh = localizeReadProblem(`${truncated.message} (byte ${truncated.offset}, after ${truncated.framesRead} packets)`, 'zh-CN');
    expect(zh).toBe(`文件在一个报文记录的中间结束（多出 72 字节）：文件被截断了（第 ${truncated.offset} 字节处，已读 9 个报文）`);
    const notCapture = readCapture(new TextEncoder().encode('hello world, this is text')).problem!.message;
    expect(localizeReadProblem(notCapture, 'zh-CN')).toMatch(/^不是抓包文件：它以 0x68656c6c 开头/);
    expect(localizeReadProblem(notCapture, 'en')).toBe(notCapture);
  });

  it("translates the experiments' socket events and leaves unknown text as it is", () => {
    expect(localizeMarkerDetail('connected, 0.55 ms after connect() was called', 'zh-CN')).toBe('已连接：调用 connect() 后 0.55 毫秒');
    expect(localizeMarkerDetail('18 bytes: "hello from Wirelab"', 'zh-CN')).toBe('18 字节："hello from Wirelab"');
    expect(localizeMarkerDetail('ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:9', 'zh-CN')).toBe('ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:9');
    // the zero-window and keep-alive experiments
    expect(localizeMarkerDetail('not reading for 1.5 s: the receive buffer fills', 'zh-CN')).toBe('1.5 秒内不读取：接收缓冲区被填满');
    expect(localizeMarkerDetail("524288 bytes written in all: what the window does not allow yet waits in the kernel's send buffer", 'zh-CN')).toBe('共写入 524288 字节：窗口暂不允许发送的部分在内核发送缓冲区中等待');
    expect(localizeMarkerDetail("write() is blocked after 262144 bytes: the peer's window is full", 'zh-CN')).toBe('写入 262144 字节后 write() 被阻塞：对端窗口已满');
    expect(localizeMarkerDetail('524288 bytes read after reading resumed', 'zh-CN')).toBe('恢复读取后读到 524288 字节');
    expect(localizeMarkerDetail('SO_KEEPALIVE on, first probe after 1 s idle; sending nothing', 'zh-CN')).toMatch(/^已开启 SO_KEEPALIVE/);
  });
});

// Container output in the CRI log format the kubelet (and so twin-kubelet-stream) reads:
//   2016-10-06T00:17:09.669794202Z stdout F the line
// one record per line, tag F for a full line, P for a part of a longer one (or the unterminated
// tail at exit). The program writes to two FIFOs the runner reads, so stdout and stderr stay
// apart and the program's pid is the container's (no shell or logger between).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';

/** Longest record; longer lines are split into P records as containerd does (16 KiB). */
const maxRecord = 16 * 1024;

export type LogStream = 'stdout' | 'stderr';

/** Formats records; pure apart from the clock, which tests replace. */
export class CriLineSplitter {
  private pending: Record<LogStream, Buffer> = { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) };

  constructor(private readonly now: () => Date = () => new Date()) {}

  /** The records a chunk completes. */
  push(stream: LogStream, chunk: Buffer): string[] {
    let data = Buffer.concat([this.pending[stream], chunk]);
    const records: string[] = [];
    for (;;) {
      const newline = data.indexOf(10);
      if (newline >= 0 && newline <= maxRecord) {
        records.push(this.record(stream, 'F', data.subarray(0, newline)));
        data = data.subarray(newline + 1);
      } else if (data.length > maxRecord) {
        records.push(this.record(stream, 'P', data.subarray(0, maxRecord)));
        data = data.subarray(maxRecord);
      } else break;
    }
    this.pending[stream] = Buffer.from(data);
    return records;
  }

  /** The unterminated tail of a stream, when it ends. */
  flush(stream: LogStream): string[] {
    const rest = this.pending[stream];
    this.pending[stream] = Buffer.alloc(0);
    return rest.length > 0 ? [this.record(stream, 'P', rest)] : [];
  }

  private record(stream: LogStream, tag: 'F' | 'P', line: Buffer): string {
    return `${this.now().toISOString()} ${stream} ${tag} ${line.toString('utf8')}\n`;
  }
}

/** A FIFO the program writes one stream to, read into the log file until close(). */
class FifoReader {
  private readonly socket: net.Socket;
  private keepOpen: number | undefined;
  readonly done: Promise<void>;

  constructor(readonly fifo: string, onData: (chunk: Buffer) => void) {
    execFileSync('mkfifo', ['-m', '0600', fifo]);
    const readFd = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    // Our own writer end keeps the FIFO from reporting end-of-file before the program opened it
    // (and between a program's exit and the last read).
    this.keepOpen = fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
    this.socket = new net.Socket({ fd: readFd, readable: true, writable: false });
    this.socket.on('data', onData);
    this.done = new Promise((resolve) => {
      this.socket.once('end', () => resolve());
      this.socket.once('close', () => resolve());
      this.socket.once('error', () => resolve());
    });
  }

  /** Lets the FIFO end once the program's ends are closed too; resolves when drained. */
  async close(): Promise<void> {
    if (this.keepOpen !== undefined) {
      fs.closeSync(this.keepOpen);
      this.keepOpen = undefined;
    }
    await Promise.race([this.done, new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
    this.socket.destroy();
    fs.rmSync(this.fifo, { force: true });
  }
}

/** One container run's output: two FIFOs in, one CRI log file out. */
export class ContainerLog {
  private readonly splitter = new CriLineSplitter();
  private readonly fd: number;
  private readonly readers: Record<LogStream, FifoReader>;

  /** `logFile` is created (appended to); the FIFOs are made in `fifoDir`. */
  constructor(readonly logFile: string, fifoDir: string, name: string) {
    this.fd = fs.openSync(logFile, 'a', 0o640);
    this.readers = {
      stdout: new FifoReader(`${fifoDir}/${name}.stdout`, (chunk) => this.write(this.splitter.push('stdout', chunk))),
      stderr: new FifoReader(`${fifoDir}/${name}.stderr`, (chunk) => this.write(this.splitter.push('stderr', chunk))),
    };
  }

  get stdoutFifo(): string {
    return this.readers.stdout.fifo;
  }

  get stderrFifo(): string {
    return this.readers.stderr.fifo;
  }

  /** Logs a line as the runtime (e.g. why a start failed), on stderr. */
  note(line: string): void {
    this.write(this.splitter.push('stderr', Buffer.from(`${line}\n`)));
  }

  /** After the program exited: drain, write the tails, close. */
  async close(): Promise<void> {
    await Promise.all([this.readers.stdout.close(), this.readers.stderr.close()]);
    this.write([...this.splitter.flush('stdout'), ...this.splitter.flush('stderr')]);
    fs.closeSync(this.fd);
  }

  private write(records: string[]): void {
    if (records.length > 0) fs.writeSync(this.fd, records.join(''));
  }
}

/** Before a restart: the current log becomes the previous one (kubectl logs --previous). */
export function rotateLog(logFile: string): void {
  const previous = logFile.replace(/\.log$/, '.previous.log');
  try {
    fs.renameSync(logFile, previous);
  } catch {
    // no log yet
  }
}

// AudioWorklet: microphone float samples -> 20 ms frames of 16-bit PCM, plus a level for the meter.
// It runs at the AudioContext's rate (16 kHz when the browser grants it; otherwise the page tells the
// server the real rate and the server resamples).

class PcmFramer extends AudioWorkletProcessor {
  constructor() {
    super();
    this.frame = Math.round(sampleRate / 50); // 20 ms
    this.buffer = new Int16Array(this.frame);
    this.filled = 0;
    this.energy = 0;
  }

  process(inputs) {
    const channel = inputs[0] && inputs[0][0];
    if (!channel) return true;
    for (let i = 0; i < channel.length; i++) {
      const x = Math.max(-1, Math.min(1, channel[i]));
      this.energy += x * x;
      this.buffer[this.filled++] = x < 0 ? x * 0x8000 : x * 0x7fff;
      if (this.filled === this.frame) {
        const level = Math.sqrt(this.energy / this.frame);
        this.port.postMessage({ pcm: this.buffer.buffer, level }, [this.buffer.buffer]);
        this.buffer = new Int16Array(this.frame);
        this.filled = 0;
        this.energy = 0;
      }
    }
    return true;
  }
}

registerProcessor("pcm-framer", PcmFramer);

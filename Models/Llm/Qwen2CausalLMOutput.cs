using static TorchSharp.torch;

namespace RAE.Grid.Models.Llm;

/// <summary>What <see cref="Qwen2ForCausalLM.Forward"/> returns: <paramref name="Logits"/> [B, L, vocab] and the model's states.</summary>
public sealed record Qwen2CausalLMOutput(Tensor Logits, Qwen2ModelOutput Model);

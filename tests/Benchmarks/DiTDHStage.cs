using RAE.Grid.Models.Diffusion;
using RAE.Grid.Models.Runtime;
using static TorchSharp.torch;

namespace RAE.Grid.Benchmarks;

/// <summary>
/// One DiT^DH velocity evaluation (<see cref="DiTDH.forward"/>) on a [B, 768, 16, 16] latent with times and class
/// labels: backbone blocks conditioned per sample, then the 2048-wide head whose adaLN is computed per token.
/// </summary>
public sealed class DiTDHStage : StageBench
{
    private readonly string _name, _preset;
    private readonly DiTDHConfig _full, _built;
    private readonly DiTDH _model;

    /// <param name="preset">"DiTDH-S" or "DiTDH-XL".</param>
    public DiTDHStage(string preset, BenchMode mode, ComputeOptions compute) : base(mode, compute)
    {
        _preset = preset;
        _name = preset.ToLowerInvariant();
        _full = DiTDHConfig.Preset(preset);
        _built = _full with { Depth = [Built(_full.Depth[0]), Built(_full.Depth[1])] };
        _model = new DiTDH(_built);
        _model.eval();
        compute.Apply(_model);
        long tokens = (long)_full.InputSize / _full.PatchSize * (_full.InputSize / _full.PatchSize);
        int enc = _full.EncoderHiddenSize, dec = _full.DecoderHiddenSize;
        Blocks =
        [
            new BlockSpec("backbone block", _full.Depth[0], BlockShape.DiT(tokens, enc, _full.NumHeads[0],
                SwiGLUFFN.HiddenFor(enc, _full.MlpRatio), perTokenAdaLN: false)),
            new BlockSpec("head block", _full.Depth[1], BlockShape.DiT(tokens, dec, _full.NumHeads[1],
                SwiGLUFFN.HiddenFor(dec, _full.MlpRatio), perTokenAdaLN: true)),
        ];
    }

    private long Tokens => Blocks[0].Shape.Tokens;

    public override string Name => _name;
    public override string Description =>
        $"{_preset} (backbone {_full.HiddenSize[0]}/{_full.Depth[0]}/{_full.NumHeads[0]}, head {_full.HiddenSize[1]}/{_full.Depth[1]}/{_full.NumHeads[1]}) on {_full.InChannels}×{_full.InputSize}²";
    public override IReadOnlyList<BlockSpec> Blocks { get; }

    public override double OtherFlopsPerImage
    {
        get
        {
            long n = Tokens, c = _full.InChannels, p = _full.PatchSize;
            int enc = _full.EncoderHiddenSize, dec = _full.DecoderHiddenSize;
            return FlopCount.Linear(1, 2 * 256, enc) + FlopCount.Linear(1, enc, enc)           // t_embedder.mlp
                   + FlopCount.PatchEmbed(_full.InputSize, p, enc, c)                           // s_embedder
                   + FlopCount.PatchEmbed(_full.InputSize, p, dec, c)                           // x_embedder
                   + (enc != dec ? FlopCount.Linear(n, enc, dec) : 0)                           // s_projector
                   + FlopCount.Linear(n, dec, 2 * dec) + FlopCount.Linear(n, dec, p * p * c);   // final layer
        }
    }

    public override Func<Tensor> Forward(long batch)
    {
        var x = Input(batch, _full.InChannels, _full.InputSize, _full.InputSize);
        var t = rand([batch], device: Device);
        var y = randint(0, _full.NumClasses, [batch], dtype: ScalarType.Int64, device: Device);
        return () => _model.forward(x, t, y);
    }

    public override Func<Tensor> Block(int index, long batch, bool contiguous = false)
    {
        if (index is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(index));
        // Inputs come from the model's own embedding path so that they carry its memory layout: timm's PatchEmbed
        // returns a transposed (non-contiguous) view of the conv output, and the residual adds keep that layout
        // through every block, which matters a lot for bf16 linears on the CPU.
        Tensor Layout(Tensor a) => contiguous ? a.contiguous() : a;
        var x = Input(batch, _full.InChannels, _full.InputSize, _full.InputSize);
        var t = rand([batch], device: Device);
        var y = randint(0, _full.NumClasses, [batch], dtype: ScalarType.Int64, device: Device);
        var tEmb = _model.t_embedder.forward(t);
        var c = nn.functional.silu(tEmb + _model.y_embedder.forward(y, false)); // per-sample condition
        if (index == 0)
        {
            var s = _model.s_embedder.forward(x);
            if (_model.pos_embed is not null) s = s + _model.pos_embed;
            s = Layout(s);
            var block = _model.blocks[0];
            return () => block.forward(s, c, _model.enc_feat_rope);
        }
        var cond = _model.Backbone(x, tEmb, c); // per-token condition for the head
        if (_model.s_projector is not null) cond = _model.s_projector.forward(cond);
        cond = Layout(cond);
        var h = Layout(_model.x_embedder.forward(x));
        var head = _model.blocks[_built.Depth[0]];
        return () => head.forward(h, cond, _model.dec_feat_rope);
    }

    public override void Dispose() => _model.Dispose();
}

using RAE.Grid.Models.Decoders;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Decoders;

/// <summary>Small decoders with random weights for behaviour tests (golden numbers are checked elsewhere).</summary>
static class TinyDecoder
{
    public static DecoderConfig Config(int numPatches = 16, int encoderWidth = 8) =>
        new DecoderConfig(16, 2, 4, 32).ForRae(encoderWidth, numPatches, decoderPatchSize: 2);

    /// <summary>A decoder whose parameters (CLS token included) are all random, in eval mode.</summary>
    public static GeneralDecoder Build(int numPatches = 16, long seed = 7)
    {
        manual_seed(seed);
        var d = new GeneralDecoder(Config(numPatches));
        using (no_grad())
            d.trainable_cls_token.normal_(0, 0.5);
        d.eval();
        return d;
    }
}

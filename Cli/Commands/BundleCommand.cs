using System.CommandLine;
using RAE.Grid.Models.Bundles.Writers;
using RAE.Grid.Models.Rae;
using Spectre.Console;

namespace RAE.Grid.Cli.Commands;

/// <summary><c>rae-grid bundle random|check</c>: make the tiny random bundle, or validate and load any bundle.</summary>
internal static class BundleCommand
{
    public static Command Create()
    {
        var outDir = new Option<string>("--out") { Description = "Folder to write the bundle to", DefaultValueFactory = _ => "bundles/tiny" };
        var seed = new Option<long>("--seed") { Description = "Seed of the random weights", DefaultValueFactory = _ => 0 };
        var encoder = new Option<string>("--encoder") { Description = "Encoder: dinov2, or siglip2 (adds the SigLIP-2 text-latent verifier)", DefaultValueFactory = _ => "dinov2" };
        encoder.AcceptOnlyFromAmong(RandomBundle.Encoders);
        var t2i = new Option<bool>("--t2i") { Description = "Write the tiny text-to-image bundle instead: the SigLIP-2 RAE, a random Scale-RAE T2I model and its two LLM verifiers" };
        var stage1 = new Option<string?>("--stage1")
        {
            Description = "Write a random T2I model (implies --t2i) on this trained bundle's frozen encoder, decoder and class probes (folder, bundle.json or id), sized to its latent",
        };
        var random = new Command("random", "Write a tiny randomly initialised RAE bundle (official architectures and key names)") { outDir, seed, encoder, t2i, stage1 };
        random.SetAction(pr =>
        {
            var path = pr.GetValue(stage1) is { } from
                ? RandomBundle.CreateT2I(CommonOptions.BundleFile(from), pr.GetValue(outDir)!, pr.GetValue(seed))
                : pr.GetValue(t2i) ? RandomBundle.CreateT2I(pr.GetValue(outDir)!, pr.GetValue(seed))
                : pr.GetValue(encoder) == "siglip2"
                ? RandomBundle.CreateSiglip2(pr.GetValue(outDir)!, pr.GetValue(seed))
                : RandomBundle.Create(pr.GetValue(outDir)!, pr.GetValue(seed));
            AnsiConsole.MarkupLineInterpolated($"wrote {path}");
        });

        var bundlePath = new Argument<string>("bundle") { Description = "Bundle JSON to check" };
        var check = new Command("check", "Validate a bundle and load every model it names (strict key checks)") { bundlePath };
        check.SetAction(pr =>
        {
            using var model = RaeModel.Load(pr.GetValue(bundlePath)!);
            var b = model.Bundle;
            var latent = string.Join(",", model.LatentShape);
            AnsiConsole.MarkupLineInterpolated($"[green]ok[/] {b.Name}: encoder {b.Stage1.Params.EncoderCls}, latent [[{latent}]], image {model.ImageSize}px, diffusion {b.Stage2?.Target ?? "none"}, guidance {b.Guidance.Method} {b.Guidance.Scale}, shift {model.Shift:F3}");
            if (b.T2I is { } section)
            {
                var t = model.TextToImage();
                var llm = t.Model.Llm.Config;
                AnsiConsole.MarkupLineInterpolated($"[green]ok[/] t2i: LLM {llm.HiddenSize}w×{llm.NumHiddenLayers}L vocab {llm.VocabSize}{(llm.TieWordEmbeddings ? " tied" : "")}, tokenizer {t.Tokenizer.VocabularySize} ids, latent [[{string.Join(",", t.LatentShape)}]], sampler {section.Sampler.Method} {section.Sampler.NumSteps} steps cfg {section.Sampler.CfgScale}, max {section.MaxPromptTokens} prompt tokens");
            }
            foreach (var v in b.Verifiers ?? [])
                AnsiConsole.MarkupLineInterpolated($"[green]ok[/] verifier {v.Name}: {model.Verifier(v.Name).Version}");
            if (b.RandomWeights) AnsiConsole.MarkupLine(CommonOptions.RandomWeightsNotice);
        });
        return new Command("bundle", "Create or check model bundles") { random, check };
    }
}

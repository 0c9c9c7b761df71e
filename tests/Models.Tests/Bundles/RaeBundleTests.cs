using RAE.Grid.Models.Bundles;

namespace RAE.Grid.Models.Tests.Bundles;

public class RaeBundleTests
{
    [Fact]
    public void A_bundle_with_several_mistakes_reports_every_one_at_once()
    {
        var dir = Directory.CreateTempSubdirectory("bundle-test").FullName;
        var path = Path.Combine(dir, "bundle.json");
        File.WriteAllText(path, """
        {
          "name": "broken",
          "compute": { "device": "tpu", "dtype": "fp8" },
          "stage_1": { "params": { "encoder_cls": "ResNet", "encoder_config_path": "nope.json",
                       "encoder_weights_path": "nope.safetensors", "decoder_config_path": "dec.json",
                       "pretrained_decoder_path": "dec.safetensors", "encoder_input_size": 0 } },
          "stage_2": { "target": "UNet", "params": { "input_size": 16 }, "ckpt": "dit.pt" },
          "sampler": { "mode": "SDE", "params": { "sampling_method": "dopri5", "num_steps": 1 } },
          "guidance": { "method": "autoguidance", "scale": 1.4, "t_min": 0.9, "t_max": 0.1 },
          "misc": { "latent_size": [64, 16], "num_classes": 10 }
        }
        """);
        var e = Assert.Throws<BundleValidationException>(() => RaeBundle.Load(path));
        string[] expected =
        [
            "compute.dtype", "compute.device", "stage_1.params.encoder_cls", "stage_1.params.encoder_config_path",
            "stage_1.params.encoder_weights_path", "stage_1.params.decoder_config_path",
            "stage_1.params.pretrained_decoder_path", "stage_1.params.encoder_input_size", "stage_2.target",
            "stage_2.ckpt", "misc.latent_size", "sampler.mode", "sampler.params.sampling_method",
            "sampler.params.num_steps", "guidance.t_min", "guidance.guidance_model",
        ];
        foreach (var field in expected) Assert.Contains(e.Problems, p => p.StartsWith(field) || p.Contains(field));
        Assert.True(e.Problems.Count >= expected.Length, string.Join("\n", e.Problems));
    }

    [Fact]
    public void An_unknown_field_is_an_error_naming_it()
    {
        var dir = Directory.CreateTempSubdirectory("bundle-test").FullName;
        var path = Path.Combine(dir, "bundle.json");
        File.WriteAllText(path, """{ "name": "x", "stage_one": {} }""");
        var e = Assert.Throws<BundleValidationException>(() => RaeBundle.Load(path));
        Assert.Contains("stage_one", e.Message);
    }
}

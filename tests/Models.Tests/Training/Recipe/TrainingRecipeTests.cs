using RAE.Grid.Models.Rae;
using RAE.Grid.Models.Tests.Checkpoints;
using RAE.Grid.Training;
using RAE.Grid.Training.Recipe;

namespace RAE.Grid.Models.Tests.Training.Recipe;

public class TrainingRecipeTests
{
    static string RepoFile(string relative)
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, relative))) return Path.Combine(d.FullName, relative);
        throw new FileNotFoundException(relative);
    }

    [Fact]
    public void The_shipped_recipe_loads_and_describes_the_toy_rae()
    {
        var r = TrainingRecipe.Load(RepoFile("recipes/fashion-mnist.json"));
        Assert.Equal("fashion-mnist", r.Name);
        Assert.Equal(64, (int)r.Encoder.Config["hidden_size"]!);
        Assert.Equal((int)r.Encoder.Config["hidden_size"]!, (int)r.Dit.Params["in_channels"]!);
        Assert.Equal(0.8, r.Decoder.NoiseTau);
        Assert.Equal(NoiseSigmaDistribution.Uniform, r.Decoder.NoiseSigma);
        Assert.Equal(LatentStatisticsMethod.RunningAverage, r.Stats.Method);
        Assert.Equal([64L, 4, 4], r.Dit.InputShape);
        Assert.True(r.Dit.WeakStep is > 0);
    }

    [Theory]
    [InlineData("\"dit\": {", "\"dit\": { \"epoks\": 3,", "epoks")]
    [InlineData("\"noise_tau\": 0.8", "\"noise_tau\": -0.5", "decoder.noise_tau")]
    [InlineData("\"guidance\": \"autoguidance\"", "\"guidance\": \"magic\"", "bundle.guidance")]
    [InlineData("\"noise_sigma\": \"uniform\"", "\"noise_sigma\": \"gamma\"", "noise_sigma")]
    [InlineData("\"time_dist_type\": \"logit-normal_0_1\"", "\"time_dist_type\": \"beta\"", "time_dist_type")]
    [InlineData("\"mask_ratio\": 0.75", "\"mask_ratio\": 1.5", "encoder.config: field 'mask_ratio'")]
    [InlineData("\"decoder_num_attention_heads\": 4, \"decoder_intermediate_size\": 512", "\"decoder_num_attention_heads\": 5, \"decoder_intermediate_size\": 512", "decoder.config: field 'decoder_num_attention_heads'")]
    [InlineData("\"hidden_size\": [96, 192]", "\"hidden_size\": [96, 190]", "dit.params: field 'hidden_size[1]'")]
    public void A_bad_recipe_names_the_file_and_the_field(string find, string replace, string named)
    {
        using var dir = new TempDir();
        var text = File.ReadAllText(RepoFile("recipes/fashion-mnist.json"));
        Assert.Contains(find, text);
        File.WriteAllText(dir.File("r.json"), text.Replace(find, replace));
        var e = Assert.Throws<ArgumentException>(() => TrainingRecipe.Load(dir.File("r.json")));
        Assert.Contains(dir.File("r.json"), e.Message);
        Assert.Contains(named, e.Message);
    }

    [Fact]
    public void A_stage_finished_under_another_recipe_section_is_not_silently_reused()
    {
        using var dir = new TempDir();
        var a = RecipeStages.Hash(new RecipeStats());
        var b = RecipeStages.Hash(new RecipeStats { BatchSize = 7 });
        Assert.NotEqual(a, b);
        Assert.False(RecipeStages.IsDone(dir.Path, "stats", a));
        RecipeStages.MarkDone(dir.Path, "stats", a);
        Assert.True(RecipeStages.IsDone(dir.Path, "stats", a));
        var e = Assert.Throws<InvalidOperationException>(() => RecipeStages.IsDone(dir.Path, "stats", b));
        Assert.Contains("different recipe section", e.Message);
    }
}

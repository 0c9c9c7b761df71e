using RAE.Grid.Grains.Storage;

namespace RAE.Grid.Grid.Tests.Storage;

public sealed class OutputStoreOptionsTests
{
    [Fact]
    public void Local_options_with_a_path_are_valid()
    {
        Assert.Empty(new OutputStoreOptions { Kind = "local", LocalPath = "/data/out" }.Problems());
    }

    [Fact]
    public void Azure_options_with_a_connection_string_and_container_are_valid()
    {
        Assert.Empty(new OutputStoreOptions { Kind = "azure-blob", ConnectionString = "UseDevelopmentStorage=true", Container = "rae-out" }.Problems());
    }

    [Fact]
    public void Kind_is_matched_without_regard_to_case()
    {
        Assert.Empty(new OutputStoreOptions { Kind = "Azure-Blob", ConnectionString = "UseDevelopmentStorage=true", Container = "rae" }.Problems());
        Assert.True(new OutputStoreOptions { Kind = "LOCAL" }.IsKind(OutputStoreOptions.LocalKind));
    }

    [Fact]
    public void An_unknown_kind_is_reported_with_the_accepted_kinds()
    {
        var problem = Assert.Single(new OutputStoreOptions { Kind = "s3" }.Problems());
        Assert.Contains("Kind 's3'", problem);
        Assert.Contains("'local'", problem);
        Assert.Contains("'azure-blob'", problem);
    }

    [Fact]
    public void A_local_store_without_a_path_is_reported()
    {
        var problem = Assert.Single(new OutputStoreOptions { Kind = "local", LocalPath = " " }.Problems());
        Assert.Contains("LocalPath", problem);
    }

    [Fact]
    public void Validation_lists_every_problem_at_once()
    {
        var options = new OutputStoreOptions { Kind = "azure-blob" };
        Assert.Equal(2, options.Problems().Count);
        var error = Assert.Throws<ArgumentException>(() => options.Validate());
        Assert.Contains("2 problems", error.Message);
        Assert.Contains("ConnectionString is required", error.Message);
        Assert.Contains("Container is required", error.Message);
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("Rae")]
    [InlineData("rae--out")]
    [InlineData("-rae")]
    [InlineData("rae-")]
    [InlineData("rae_out")]
    [InlineData("rae out")]
    public void Invalid_container_names_are_reported_by_name(string container)
    {
        var problem = Assert.Single(new OutputStoreOptions { Kind = "azure-blob", ConnectionString = "UseDevelopmentStorage=true", Container = container }.Problems());
        Assert.Contains($"Container '{container}'", problem);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("rae-outputs-2")]
    [InlineData("0a0")]
    public void Valid_container_names_are_accepted(string container)
    {
        Assert.Empty(new OutputStoreOptions { Kind = "azure-blob", ConnectionString = "UseDevelopmentStorage=true", Container = container }.Problems());
    }

    [Fact]
    public void Container_names_are_limited_to_63_characters()
    {
        static OutputStoreOptions With(string container) => new() { Kind = "azure-blob", ConnectionString = "x", Container = container };
        Assert.Empty(With(new string('a', 63)).Problems());
        Assert.Single(With(new string('a', 64)).Problems());
    }
}

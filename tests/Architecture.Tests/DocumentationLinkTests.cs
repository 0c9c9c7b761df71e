namespace RAE.Grid.Architecture.Tests;

/// <summary>The documentation a newcomer walks: every relative link in the repository's markdown leads somewhere.</summary>
public sealed class DocumentationLinkTests
{
    [Fact]
    public void Every_relative_link_in_the_repository_markdown_resolves_to_a_file_and_heading()
    {
        var root = ProjectFile.RepositoryRoot();
        var files = MarkdownLinks.FilesUnder(root);
        Assert.Contains(files, f => Path.GetRelativePath(root, f) == "README.md");
        Assert.Contains(files, f => Path.GetRelativePath(root, f) == Path.Combine("docs", "architecture.md"));

        var broken = MarkdownLinks.BrokenLinks(root, files);

        Assert.True(broken.Count == 0, $"broken links in {files.Count} markdown files:\n  " + string.Join("\n  ", broken));
    }

    [Fact]
    public void A_link_to_a_missing_file_or_heading_is_reported_with_its_line()
    {
        var root = Directory.CreateTempSubdirectory("md-links-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "docs"));
            File.WriteAllText(Path.Combine(root, "docs", "a.md"), "# A\n\n## Running a cluster (`serve`)\n\nSee [back](../README.md).\n");
            File.WriteAllText(Path.Combine(root, "README.md"), string.Join('\n',
                "# Top",
                "[ok](docs/a.md#running-a-cluster-serve) [self](#top) [web](https://example.com/x.md#nope) [folder](docs)",
                "[gone](docs/missing.md)",
                "![image](docs/missing.png) and [bad anchor](docs/a.md#running-a-cluster)",
                "```",
                "[in code](nowhere.md)",
                "```",
                "`[in a span](nowhere.md)` [bad self](#bottom)"));

            var broken = MarkdownLinks.BrokenLinks(root, MarkdownLinks.FilesUnder(root));

            Assert.Equal(
                [
                    "README.md:3: docs/missing.md (no such file)",
                    "README.md:4: docs/missing.png (no such file)",
                    "README.md:4: docs/a.md#running-a-cluster (no such heading)",
                    "README.md:8: #bottom (no such heading)",
                ],
                broken);
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Theory]
    [InlineData("Running a cluster", "running-a-cluster")]
    [InlineData("SigLIP-2 text–latent verifier (`siglip2-text`)", "siglip-2-textlatent-verifier-siglip2-text")]
    [InlineData("Best-of-N: candidates judged in latent space, only winners decoded", "best-of-n-candidates-judged-in-latent-space-only-winners-decoded")]
    [InlineData("Text-to-image (`t2i`) and the LLM verifiers", "text-to-image-t2i-and-the-llm-verifiers")]
    [InlineData("Faults: nothing lost, nothing doubled", "faults-nothing-lost-nothing-doubled")]
    [InlineData("Stage_1 & the [decoder](x.md)", "stage_1--the-decoder")]
    public void Heading_anchors_follow_GitHub_slug_rules(string heading, string anchor) =>
        Assert.Equal(anchor, MarkdownLinks.Slug(heading));

    [Fact]
    public void Repeated_headings_get_numbered_anchors() =>
        Assert.Equal(["results", "results-1", "results-2"],
            MarkdownLinks.Anchors(["## Results", "text", "### Results", "```", "# Results (in code)", "```", "# Results"]).Order());
}

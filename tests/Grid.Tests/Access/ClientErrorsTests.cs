using RAE.Grid.Contracts;
using RAE.Grid.Grains.Access;

namespace RAE.Grid.Grid.Tests.Access;

/// <summary>Errors bound for clients lose server paths and secrets, and keep the item and store names that explain them.</summary>
public sealed class ClientErrorsTests
{
    [Theory]
    [InlineData("file not found: /srv/rae/store/jobs/a/x.png", "file not found: <server path>")]
    [InlineData("Could not find file '/tmp/rae-grid-cluster-1/store/uploads/a.png'.", "Could not find file '<server path>'.")]
    [InlineData("photos/cat.png: not an image (bad PNG signature)", "photos/cat.png: not an image (bad PNG signature)")]
    [InlineData("store name 'jobs/a/../b' has an empty, '.' or '..' segment", "store name 'jobs/a/../b' has an empty, '.' or '..' segment")]
    [InlineData("bundle C:\\models\\rae\\bundle.json is broken", "bundle <server path> is broken")]
    [InlineData("GET http://127.0.0.1:10000/devstoreaccount1/outputs/x failed", "GET <server path> failed")]
    [InlineData("DefaultEndpointsProtocol=http;AccountName=dev;AccountKey=Eby8vdM02x==;", "DefaultEndpointsProtocol=http;AccountName=dev;AccountKey=<secret>;")]
    public void A_message_for_clients_keeps_its_meaning_without_server_paths_or_secrets(string message, string expected) =>
        Assert.Equal(expected, ClientErrors.Sanitize(message));

    [Fact]
    public void An_unexpected_server_exception_reaches_a_client_as_a_message_that_names_only_the_call()
    {
        var io = ClientErrors.ForClient(new FileNotFoundException("Could not find file '/srv/rae/store/jobs/a/manifest.json'."), "IOutputReaderGrain.ReadChunk");
        Assert.Equal("IOutputReaderGrain.ReadChunk failed on the grid (FileNotFoundException); the silo's log has the details",
            Assert.IsType<InvalidOperationException>(io).Message);
        var bad = ClientErrors.ForClient(new ArgumentException("bundle '/srv/bundles/x.json' cannot be read"), "IJobGrain.Start");
        Assert.Equal("bundle '<server path>' cannot be read", Assert.IsType<ArgumentException>(bad).Message);
        Assert.Null(ClientErrors.ForClient(new ArgumentException("steps: 0 is not in 1..1000"), "IJobGrain.Start")); // nothing to hide: passes as it is
        Assert.Null(ClientErrors.ForClient(new StageBusyException("encoder queue full"), "x")); // retryable types pass unchanged
    }

    [Fact]
    public void A_status_sent_to_a_client_carries_no_server_path_in_its_errors()
    {
        var status = JobStatus.Unknown("j") with { Errors = [new ItemError(3, "photos/a.png", "photos/a.png: file not found: /srv/in/a.png")] };
        var clean = Assert.IsType<JobStatus>(ClientErrors.SanitizeResult(status));
        Assert.Equal("photos/a.png: file not found: <server path>", Assert.Single(clean.Errors).Message);
    }
}

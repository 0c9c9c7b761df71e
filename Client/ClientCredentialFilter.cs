using RAE.Grid.Contracts;

namespace RAE.Grid.Client;

/// <summary>Puts the client's credential on every outgoing call, where the silo's gateway check reads it.</summary>
public sealed class ClientCredentialFilter(ClientCredential credential) : IOutgoingGrainCallFilter
{
    public Task Invoke(IOutgoingGrainCallContext context)
    {
        // RequestContext is read when the message is built, after the filters: set here, it rides this call only.
        RequestContext.Set(ClientCredentialKeys.Name, credential.Name);
        RequestContext.Set(ClientCredentialKeys.Secret, credential.Secret);
        return context.Invoke();
    }
}

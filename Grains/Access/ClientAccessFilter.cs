using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Jobs;
using RAE.Grid.Grains.Storage;

namespace RAE.Grid.Grains.Access;

/// <summary>
/// The silos' check of every call a client makes through a gateway (calls from grains, and from a silo's own hosted
/// client, pass untouched): only client-facing methods (<see cref="ClientFacing"/>); the caller's credential
/// (<see cref="AccessOptions"/>), which then travels on as a <see cref="CallerIdentity"/> and never further as a secret;
/// a job only to the client that submitted it, and an output only to the owner of the job whose prefix holds it (admins
/// everything); and errors that reach the client carry no server path or secret (<see cref="ClientErrors"/>).
/// </summary>
public sealed class ClientAccessFilter(IOptions<AccessOptions> options, IGrainFactory grains, ILogger<ClientAccessFilter> log)
    : IIncomingGrainCallFilter
{
    /// <summary>The message a client without a valid credential gets.</summary>
    public const string NoCredential =
        "access denied: this grid requires a client credential (--client-name/--client-secret or RAEGRID_CLIENT/RAEGRID_CLIENT_SECRET)";

    /// <summary>The message a client with an unknown name or a wrong secret gets (the two look the same).</summary>
    public const string BadCredential = "access denied: unknown client or wrong secret";

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        // Orleans' own system targets (the cluster manifest a connecting client reads, ...) are the runtime's business.
        if (!IsExternalClient(context.SourceId) || context.TargetId.IsSystemTarget())
        {
            await context.Invoke();
            return;
        }
        var name = RequestContext.Get(ClientCredentialKeys.Name) as string;
        var secret = RequestContext.Get(ClientCredentialKeys.Secret) as string;
        // The secret stops here; whatever a client put under the caller keys is replaced.
        RequestContext.Remove(ClientCredentialKeys.Secret);
        CallerIdentity.Set(null);
        var caller = Authenticate(name, secret, context);
        var call = $"{context.InterfaceMethod.DeclaringType?.Name}.{context.MethodName}";
        if (ClientFacing.Refusal(context.InterfaceMethod, admin: caller is null || caller.Admin) is { } refusal)
            throw Denied(context, caller, $"access denied: {refusal}");
        CallerIdentity.Set(caller);
        if (caller is { Admin: false }) await AuthorizeAsync(context, caller);
        try
        {
            await context.Invoke();
        }
        catch (Exception e) when (ClientErrors.ForClient(e, call) is { } clean)
        {
            if (clean is InvalidOperationException && e is not InvalidOperationException)
                log.LogWarning(e, "{Call} from client {Client} failed; the client gets: {Message}", call, caller?.Name ?? "(open grid)", clean.Message);
            ExceptionDispatchInfo.Throw(clean);
        }
        context.Result = ClientErrors.SanitizeResult(context.Result);
    }

    /// <summary>A client connected through a gateway: a client id that is not a silo's own hosted client.</summary>
    public static bool IsExternalClient(GrainId? source) =>
        source is { } id && id.IsClient() && !id.Key.ToString().StartsWith("hosted-", StringComparison.Ordinal);

    /// <summary>The configured client the credential names (null on an open grid); refuses a missing or wrong one.</summary>
    private CallerIdentity? Authenticate(string? name, string? secret, IIncomingGrainCallContext context)
    {
        var access = options.Value;
        if (access.IsOpen) return null;
        if (string.IsNullOrEmpty(name)) throw Denied(context, null, NoCredential);
        var entry = access.Authenticate(name, secret) ?? throw Denied(context, null, BadCredential);
        return new CallerIdentity(entry.Name, entry.Admin);
    }

    /// <summary>A job only for its owner; an output name or listing only inside a prefix whose job the caller owns.</summary>
    private async Task AuthorizeAsync(IIncomingGrainCallContext context, CallerIdentity caller)
    {
        switch (context.Grain)
        {
            case JobGrain job when job.Ownership is (true, var owner) && !caller.MayAccess(owner):
                throw Denied(context, caller, $"access denied: job '{context.TargetId.Key}' belongs to another client");
            case JobGrain when context.MethodName == nameof(IJobGrain.Start) && context.Request.GetArgument(0) is JobRequest request:
                // A job reads its inputs with the grid's rights: a client may name only uploads and its own jobs' outputs.
                foreach (var name in InputNames(request))
                    if (!name.StartsWith(UploadNames.Prefix, StringComparison.Ordinal) && !await OwnsAsync(caller, name))
                        throw Denied(context, caller, $"access denied: input '{name}' is neither an upload nor under the output prefix of a job of client '{caller.Name}'");
                break;
            case OutputReaderGrain:
                var read = context.Request.GetArgument(0) as string ?? "";
                if (!await OwnsAsync(caller, read))
                    throw Denied(context, caller, $"access denied: '{read}' is not under the output prefix of a job of client '{caller.Name}'");
                break;
        }
    }

    /// <summary>Whether <paramref name="name"/> (a store name or listing prefix) lies inside a prefix claimed by a job of the caller's.</summary>
    private async Task<bool> OwnsAsync(CallerIdentity caller, string name) =>
        await grains.GetGrain<IOutputClaimsGrain>(0).ClaimOf(name) is { } claim && caller.MayAccess(claim.Owner);

    /// <summary>The store names and URLs a request reads its inputs from (a list's own lines are the planner's to read).</summary>
    static IEnumerable<string> InputNames(JobRequest request)
    {
        if (request.InputPrefix is { } prefix) yield return prefix;
        if (request.InputList is { } list) yield return list;
        foreach (var image in request.Images ?? [])
            if (image.Uri is { } uri) yield return uri;
    }

    private AccessDeniedException Denied(IIncomingGrainCallContext context, CallerIdentity? caller, string message)
    {
        log.LogWarning("Refused {Method} on {Grain} from client {Client} ({Source}): {Message}", context.MethodName, context.TargetId,
            caller?.Name ?? "(unauthenticated)", context.SourceId, message);
        return new AccessDeniedException(message);
    }
}

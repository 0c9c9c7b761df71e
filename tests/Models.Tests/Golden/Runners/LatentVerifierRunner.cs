using RAE.Grid.Models.Llm;
using RAE.Grid.Models.T2I;
using RAE.Grid.Models.Verifiers;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Golden.Runners;

/// <summary>
/// Golden case <c>latent_verifier</c> (README Addendum 3, A3.4): Answer Logits, Prompt Confidence, prompt loss, image
/// confidence and the six best-of-N rankings of <c>verify_results.parse_metadata</c>, on the official bf16-cast path
/// and the no-cast path. <c>out.*</c> are computed from <c>mid.image_features_bf16</c> (rtol 2e-5, "How to test a
/// port" step 2) and again from our own projected features (rtol 5e-5, labelled "own features"); <c>out.nocast_*</c>
/// from our own features end to end (rtol 2e-5). Ids, counts, scores and rankings exactly.
/// </summary>
public sealed class LatentVerifierRunner : IGoldenCaseRunner
{
    private const double Rtol = 2e-5, OwnFeaturesRtol = 5e-5;

    public string Case => "latent_verifier";

    public IEnumerable<GoldenComparison> Run(GoldenCase c)
    {
        var io = c.Read("io.safetensors");
        var model = LoadModel(c);
        var own = model.ProjectLatents(io["in.latents"]);
        yield return new("io:mid.image_features", own, io["mid.image_features"], Rtol);

        foreach (var (name, t) in Compute(c, model.With(SplicePrecision.OfficialBf16Cast), io["mid.image_features_bf16"], io))
            yield return new($"io:out.{name}", t, io[$"out.{name}"], t.dtype == ScalarType.Int64 ? 0 : Rtol);
        foreach (var (name, t) in Compute(c, model.With(SplicePrecision.OfficialBf16Cast), own, io))
            yield return new($"io:out.{name} (own features)", t, io[$"out.{name}"], t.dtype == ScalarType.Int64 ? 0 : OwnFeaturesRtol);
        foreach (var (name, t) in Compute(c, model.With(SplicePrecision.NoCast), own, io))
            yield return new($"io:out.nocast_{name}", t, io[$"out.nocast_{name}"], t.dtype == ScalarType.Int64 ? 0 : Rtol);
    }

    /// <summary>The understanding half of <c>../scale_rae_t2i</c>, loaded strictly from its weights.</summary>
    public static ScaleRaeUnderstanding LoadModel(GoldenCase c)
    {
        var model = new GoldenCase(c.PathOf(Path.Combine("..", "scale_rae_t2i")));
        var hf = model["hf_config"];
        return ScaleRaeUnderstanding.Load(ScaleRaeUnderstanding.LlmConfig(hf), hf.GetProperty("mm_hidden_size").GetInt64(),
            model.Read("weights.safetensors"), model.PathOf("weights.safetensors"));
    }

    /// <summary>
    /// The verifiers of the case, with the stored token ids standing in for the tokenizer, its end-of-answer id and
    /// its answer budget.
    /// </summary>
    public static (AnswerLogitsVerifier Answer, PromptConfidenceVerifier Prompt) Verifiers(GoldenCase c,
        ScaleRaeUnderstanding model, Dictionary<string, Tensor> io)
    {
        var qa = Ids(io["in.qa_input_ids"]);
        var promptIds = Ids(io["in.ref_prompt_ids"]);
        var refQuestion = Ids(io["in.ref_input_ids"])[..^promptIds.Length];
        var answer = new AnswerLogitsVerifier("answer-logits", "golden", model, _ => qa,
            Ids(io["in.yes_token_ids"]).ToHashSet(), Ids(io["in.no_token_ids"]).ToHashSet(), EosId(c), MaxNewTokens(c));
        var prompt = new PromptConfidenceVerifier("prompt-confidence", "golden", model, _ => refQuestion, _ => promptIds);
        return (answer, prompt);
    }

    /// <summary><c>&lt;|im_end|&gt;</c> in the case's vocabulary (config <c>special_ids</c>, "eos &lt;|im_end|&gt;").</summary>
    public static long EosId(GoldenCase c) => c["special_ids"].GetProperty("eos <|im_end|>").GetInt64();

    /// <summary>The case's <c>post_qa_max_new_tokens</c>.</summary>
    public static int MaxNewTokens(GoldenCase c) => c["post_qa_max_new_tokens"].GetInt32();

    /// <summary>The case's candidates: the rows of <c>in.latents</c> (config <c>n_candidates</c>).</summary>
    public static int Candidates(GoldenCase c) => c["n_candidates"].GetInt32();

    private static long[] Ids(Tensor t) => t.data<long>().ToArray();

    /// <summary>Every output of one path, keyed by the name after <c>out.</c> / <c>out.nocast_</c>.</summary>
    private static IEnumerable<(string, Tensor)> Compute(GoldenCase c, ScaleRaeUnderstanding model, Tensor features,
        Dictionary<string, Tensor> io)
    {
        var (answerVerifier, promptVerifier) = Verifiers(c, model, io);
        var gen = Ids(io["in.gen_input_ids"]);
        var n = (int)features.shape[0];
        // The official loop stops after max_new_tokens + 1 tokens (config max_generated).
        var steps = MaxNewTokens(c) + 1;
        var vocab = model.Lm.Config.VocabSize;
        var ids = full(n, steps, -1L, ScalarType.Int64);
        var (selected, confs, stepLogits) = (zeros(n, steps), zeros(n, steps), zeros(n, steps, vocab));
        var count = new long[n];
        var metrics = new List<CandidateMetrics>();
        var perToken = new List<Tensor>();
        var refLogits = new List<Tensor>();
        using var _ = no_grad();
        for (var i = 0; i < n; i++)
        {
            var (r, s) = answerVerifier.EvaluateFeatures(features[i], "");
            count[i] = r.Ids.Length;
            for (var k = 0; k < r.Ids.Length; k++)
            {
                ids[i, k] = r.Ids[k];
                selected[i, k] = r.SelectedLogits[k];
                confs[i, k] = r.Confidences[k];
            }
            stepLogits[i, ..r.Ids.Length] = r.StepLogits;
            var p = promptVerifier.EvaluateFeatures(features[i], "", out var last);
            perToken.Add(tensor(p.PerTokenLoss).to(ScalarType.Float32));
            refLogits.Add(last);
            var image = promptVerifier.ImageConfidence(features[i], gen);
            metrics.Add(new CandidateMetrics(i, s.Score, s.YesLogit, s.NoLogit, s.YesConf, s.NoConf, p.PromptLoss, p.PromptConf, image, s.ResponseConf));
        }
        Tensor F(Func<CandidateMetrics, double> f) => tensor(metrics.Select(f).ToArray(), ScalarType.Float64);
        yield return ("qa_generated_ids", ids);
        yield return ("qa_num_generated", tensor(count));
        yield return ("qa_selected_logits", selected);
        yield return ("qa_conf_scores", confs);
        yield return ("qa_step_logits", stepLogits);
        yield return ("yes_logit", F(m => m.YesLogit));
        yield return ("no_logit", F(m => m.NoLogit));
        yield return ("yes_conf_score", F(m => m.YesConf));
        yield return ("no_conf_score", F(m => m.NoConf));
        yield return ("response_conf_score", F(m => m.ResponseConf));
        yield return ("score", tensor(metrics.Select(m => (long)m.Score).ToArray()));
        yield return ("ref_logits", stack(refLogits));
        yield return ("prompt_per_token_loss", stack(perToken));
        yield return ("prompt_loss", F(m => m.PromptLoss));
        yield return ("prompt_conf_score", F(m => m.PromptConf));
        yield return ("image_conf_score", F(m => m.ImageConf));
        foreach (var metric in VerifierRanking.Metrics)
        {
            var rank = VerifierRanking.Rank(metric, metrics).Select(x => (long)x).ToArray();
            yield return ($"rank_{metric}", tensor(rank));
            yield return ($"top4_{metric}", tensor(rank.Take(4).ToArray())); // parse_metadata: sorted[:4]
        }
    }
}

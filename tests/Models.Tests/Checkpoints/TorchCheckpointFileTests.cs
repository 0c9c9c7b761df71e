using RAE.Grid.Models.Checkpoints;
using RAE.Grid.Models.Checkpoints.Torch;
using RAE.Grid.Models.Tests.Golden;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Checkpoints;

public class TorchCheckpointFileTests
{
    private static string GoldenFile(string relative) => Path.Combine(GoldenCase.Root, relative);

    private static void AssertBitEqual(Tensor expected, Tensor actual, string key)
    {
        Assert.True(expected.dtype == actual.dtype, $"{key}: dtype {actual.dtype} vs {expected.dtype}");
        Assert.True(expected.shape.SequenceEqual(actual.shape), $"{key}: shape");
        Assert.True(expected.contiguous().bytes.SequenceEqual(actual.contiguous().bytes), $"{key}: bytes differ");
    }

    [Theory]
    [InlineData("rae_decoder/model.pt", "rae_decoder/weights.safetensors")]
    [InlineData("ditdh/stage2_model.pt", "ditdh/weights.safetensors")]
    public void Pt_state_dict_equals_its_safetensors_twin_bit_for_bit(string pt, string twin)
    {
        using var scope = NewDisposeScope();
        var ours = Checkpoint.ReadStateDict(GoldenFile(pt));
        var expected = SafeTensorsFile.ReadAll(GoldenFile(twin));
        Assert.Equal(expected.Keys.Order(), ours.Keys.Order());
        foreach (var (k, e) in expected) AssertBitEqual(e, ours[k], k);
    }

    [Fact]
    public void Mixed_checkpoint_keeps_dtypes_views_scalars_nesting_and_None()
    {
        using var scope = NewDisposeScope();
        var tree = Assert.IsType<OrderedDictionary<object, object?>>(TorchCheckpointFile.ReadTree(GoldenFile("checkpoint_io/mixed.pt")));
        Assert.Equal(ScalarType.Float16, ((Tensor)tree["f16"]!).dtype);
        Assert.Equal(ScalarType.BFloat16, ((Tensor)tree["bf16"]!).dtype);
        Assert.Equal(ScalarType.Int64, ((Tensor)tree["i64"]!).dtype);
        Assert.Empty(((Tensor)tree["scalar"]!).shape);
        Assert.Null(tree["mean"]);
        var nested = Assert.IsType<OrderedDictionary<object, object?>>(tree["nested"]);
        Assert.Null(nested["none"]);
        Assert.IsType<Tensor>(Assert.IsType<OrderedDictionary<object, object?>>(nested["inner"])["w"]);

        // transposed_view, slice_view and base view one storage: offsets and strides must be honoured.
        var baseT = (Tensor)tree["base"]!;
        AssertBitEqual(baseT.t(), (Tensor)tree["transposed_view"]!, "transposed_view");
        // Where the slice sits is the file's business: it must be some block of base, bit for bit.
        var slice = (Tensor)tree["slice_view"]!;
        var (h, w) = ((int)slice.shape[0], (int)slice.shape[1]);
        var blocks = from r in Enumerable.Range(0, (int)baseT.shape[0] - h + 1)
                     from col in Enumerable.Range(0, (int)baseT.shape[1] - w + 1)
                     select baseT[r..(r + h), col..(col + w)];
        Assert.Contains(blocks, b => b.contiguous().bytes.SequenceEqual(slice.contiguous().bytes));
        AssertBitEqual(SafeTensorsFile.ReadAll(GoldenFile("checkpoint_io/mixed_expected.safetensors"))["slice_view"], slice, "slice_view");
        Assert.True(((Tensor)tree["permuted"]!).is_contiguous());
    }

    [Fact]
    public void The_archive_folder_name_is_read_from_the_zip_not_the_file_name()
    {
        using var scope = NewDisposeScope();
        using var dir = new TempDir();
        var copy = dir.File("renamed.bin");
        File.Copy(GoldenFile("dinov2_reg/stat.pt"), copy);
        using var f = TorchCheckpointFile.Open(copy);
        Assert.Equal("stat", f.ArchiveName);

        var built = dir.File("x.pt");
        TorchZipBuilder.WriteTree(built, [("w", arange(6f))], stem: "some_other_name");
        Assert.Equal([0f, 1, 2, 3, 4, 5], Checkpoint.ReadStateDict(built)["w"].data<float>().ToArray());
    }

    [Fact]
    public void Opening_is_lazy_storages_are_read_only_on_load()
    {
        using var scope = NewDisposeScope();
        using var f = TorchCheckpointFile.Open(GoldenFile("ditdh/stage2_model.pt"));
        var root = Assert.IsType<OrderedDictionary<object, object?>>(f.Root);
        var ema = Assert.IsType<OrderedDictionary<object, object?>>(root["ema"]);
        var r = Assert.IsType<TorchTensorRef>(ema["pos_embed"]);
        Assert.Equal(ScalarType.Float32, r.DType);
        var t = f.Load(r);
        Assert.Equal(r.Shape, t.shape);
    }

    [Fact]
    public void Ema_is_preferred_over_model_and_wrapper_prefixes_are_stripped()
    {
        using var scope = NewDisposeScope();
        using var dir = new TempDir();
        var both = dir.File("both.pt");
        TorchZipBuilder.WriteTree(both,
        [
            ("model", new (string, object?)[] { ("module.w", full(2, 1f)) }),
            ("ema", new (string, object?)[] { ("module._orig_mod.w", full(2, 2f)), ("skip", null) }),
            ("step", null),
        ]);
        var sd = Checkpoint.ReadStateDict(both);
        Assert.Equal(["w"], sd.Keys);
        Assert.Equal([2f, 2f], sd["w"].data<float>().ToArray());

        var modelOnly = dir.File("model.pt");
        TorchZipBuilder.WriteTree(modelOnly, [("model", new (string, object?)[] { ("_orig_mod.a.b", full(1, 3f)) })]);
        Assert.Equal([3f], Checkpoint.ReadStateDict(modelOnly)["a.b"].data<float>().ToArray());
    }

    [Fact]
    public void Keys_that_collide_after_stripping_prefixes_are_an_error()
    {
        using var scope = NewDisposeScope();
        using var dir = new TempDir();
        var path = dir.File("c.pt");
        TorchZipBuilder.WriteTree(path, [("module.w", ones(1)), ("w", ones(1))]);
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.ReadStateDict(path));
        Assert.Contains("module.w", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void The_format_is_picked_by_content_not_by_extension()
    {
        using var scope = NewDisposeScope();
        using var dir = new TempDir();
        var ptNamedSafetensors = dir.File("model.safetensors");
        File.Copy(GoldenFile("rae_decoder/model.pt"), ptNamedSafetensors);
        var safetensorsNamedPt = dir.File("weights.pt");
        File.Copy(GoldenFile("rae_decoder/weights.safetensors"), safetensorsNamedPt);
        Assert.Equal(CheckpointFormat.TorchZip, Checkpoint.DetectFormat(ptNamedSafetensors));
        Assert.Equal(CheckpointFormat.SafeTensors, Checkpoint.DetectFormat(safetensorsNamedPt));
        var a = Checkpoint.ReadStateDict(ptNamedSafetensors);
        var b = Checkpoint.ReadStateDict(safetensorsNamedPt);
        Assert.Equal(b.Keys.Order(), a.Keys.Order());
        foreach (var (k, t) in b) AssertBitEqual(t, a[k], k);
    }

    [Fact]
    public void Tensor_parameter_and_storage_variants_of_torch_2_are_read()
    {
        using var scope = NewDisposeScope();
        using var dir = new TempDir();
        var path = dir.File("p.pt");
        // {"p": Parameter(_rebuild_tensor_v2(...)), "q": _rebuild_from_type_v2(_rebuild_tensor_v2, Tensor, (...), {})}
        var p = new PickleBuilder().Proto().EmptyDict().Mark();
        p.Str("p").Global("torch._utils", "_rebuild_parameter").Mark()
            .Tensor("IntStorage", "0", 3, 0, [3], [1]).Op(RAE.Grid.Models.Checkpoints.Pickle.PickleOpcode.NEWTRUE).OrderedDict()
            .Tuple().Reduce();
        p.Str("q").Global("torch._tensor", "_rebuild_from_type_v2").Mark()
            .Global("torch._utils", "_rebuild_tensor_v2").Global("torch", "Tensor")
            .Mark().Mark().Str("storage").Global("torch", "BoolStorage").Str("1").Str("cpu").Int(2).Tuple()
            .Op(RAE.Grid.Models.Checkpoints.Pickle.PickleOpcode.BINPERSID).Int(0).IntTuple([2]).IntTuple([1])
            .Op(RAE.Grid.Models.Checkpoints.Pickle.PickleOpcode.NEWFALSE).OrderedDict().Tuple()
            .EmptyDict().Tuple().Reduce();
        p.SetItems().Stop();
        TorchZipBuilder.Write(path, "p", p.ToArray(), new Dictionary<string, byte[]>
        {
            ["0"] = [1, 0, 0, 0, 2, 0, 0, 0, 255, 255, 255, 255],
            ["1"] = [1, 0],
        }, byteorder: "little");
        var sd = Checkpoint.ReadStateDict(path);
        Assert.Equal([1, 2, -1], sd["p"].data<int>().ToArray());
        Assert.Equal([true, false], sd["q"].data<bool>().ToArray());
    }

    [Fact]
    public void Latent_stats_are_read_from_stat_pt_and_from_safetensors()
    {
        using var scope = NewDisposeScope();
        var io = SafeTensorsFile.ReadAll(GoldenFile("dinov2_reg/io.safetensors"));
        var fromPt = LatentStatsFile.Read(GoldenFile("dinov2_reg/stat.pt"));
        Assert.Null(fromPt.Mean);
        AssertBitEqual(io["in.latent_var"], fromPt.Var!, "var");

        using var dir = new TempDir();
        var st = dir.File("stats.safetensors");
        SafeTensorsWriter.Write(st, new Dictionary<string, Tensor> { ["mean"] = full(2, 0.5f), ["var"] = full(2, 4f) });
        var fromSt = LatentStatsFile.Read(st);
        Assert.Equal([0.5f, 0.5f], fromSt.Mean!.data<float>().ToArray());
        Assert.Equal([4f, 4f], fromSt.Var!.data<float>().ToArray());

        var varOnly = dir.File("var.pt");
        TorchZipBuilder.WriteTree(varOnly, [("var", full(3, 2f))]);
        var v = LatentStatsFile.Read(varOnly);
        Assert.Null(v.Mean);
        Assert.Equal([2f, 2f, 2f], v.Var!.data<float>().ToArray());

        var neither = dir.File("neither.pt");
        TorchZipBuilder.WriteTree(neither, [("mean", null), ("std", ones(1))]);
        Assert.Contains("neither", Assert.Throws<InvalidDataException>(() => LatentStatsFile.Read(neither)).Message);
    }
}

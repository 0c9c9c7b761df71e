using RAE.Grid.Models.Tests.Checkpoints;
using RAE.Grid.Training;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.Tests.Training;

public class TrainingCoreTests
{
    sealed class Net : Module<Tensor, Tensor>
    {
#pragma warning disable IDE1006
        public readonly TorchSharp.Modules.Linear fc1, fc2;
#pragma warning restore IDE1006
        public Net(long seed) : base("Net")
        {
            torch.manual_seed(seed);
            fc1 = Linear(4, 16); fc2 = Linear(16, 2);
            RegisterComponents();
        }
        public override Tensor forward(Tensor x) => fc2.forward(functional.gelu(fc1.forward(x)));
    }

    // Runs steps [from, to) of a fixed regression problem with AdamW, a schedule and an EMA.
    static void Steps(Net net, optim.Optimizer opt, Ema ema, ILrSchedule schedule, int from, int to)
    {
        for (int step = from; step < to; step++)
        {
            using var scope = NewDisposeScope();
            var gen = new Generator((ulong)step + 1);
            var x = randn([8, 4], generator: gen);
            var y = x[.., ..2] * 2 - x[.., 2..];
            LrSchedules.Apply(opt, schedule.At(step));
            opt.zero_grad();
            functional.mse_loss(net.forward(x), y).backward();
            opt.step();
            ema.Update();
        }
    }

    [Fact]
    public void Resuming_from_a_checkpoint_continues_exactly_like_an_uninterrupted_run()
    {
        var schedule = new CosineWithWarmup(1e-2, 3, 20, 1e-3);
        var settings = new AdamWSettings(Lr: 1e-2, WeightDecay: 0.01);

        var a = new Net(0); var aEma = new Ema(a, new Net(9), 0.9); var aOpt = settings.Create(a.parameters());
        Steps(a, aOpt, aEma, schedule, 0, 20);

        using var dir = new TempDir();
        var b = new Net(0); var bEma = new Ema(b, new Net(9), 0.9); var bOpt = settings.Create(b.parameters());
        Steps(b, bOpt, bEma, schedule, 0, 7);
        TrainingCheckpoint.Save(dir.File("ck.safetensors"), 7, new Dictionary<string, Module> { ["model"] = b, ["ema"] = bEma.Shadow },
            new Dictionary<string, optim.Optimizer> { ["optimizer"] = bOpt }, new Dictionary<string, string> { ["note"] = "x" });

        var c = new Net(5); var cEma = new Ema(c, new Net(6), 0.9); var cOpt = settings.Create(c.parameters());
        var (step, meta) = TrainingCheckpoint.Load(dir.File("ck.safetensors"), new Dictionary<string, Module> { ["model"] = c, ["ema"] = cEma.Shadow },
            new Dictionary<string, optim.Optimizer> { ["optimizer"] = cOpt });
        Assert.Equal(7, step);
        Assert.Equal("x", meta["note"]);
        Steps(c, cOpt, cEma, schedule, 7, 20);

        foreach (var ((name, pa), (_, pc)) in a.named_parameters().Zip(c.named_parameters()))
            Assert.True(pa.allclose(pc, 0, 0), $"model {name} differs after resume");
        foreach (var ((name, pa), (_, pc)) in aEma.Shadow.named_parameters().Zip(cEma.Shadow.named_parameters()))
            Assert.True(pa.allclose(pc, 0, 0), $"ema {name} differs after resume");
    }

    [Fact]
    public void A_module_and_an_optimizer_with_the_same_checkpoint_name_are_refused()
    {
        using var dir = new TempDir();
        var net = new Net(0);
        var opt = new AdamWSettings().Create(net.parameters());
        var e = Assert.Throws<ArgumentException>(() => TrainingCheckpoint.Save(dir.File("c.safetensors"), 1,
            new Dictionary<string, Module> { ["decoder"] = net }, new Dictionary<string, optim.Optimizer> { ["decoder"] = opt }));
        Assert.Contains("'decoder'", e.Message);
        Assert.False(File.Exists(dir.File("c.safetensors")));
    }

    [Fact]
    public void Ema_moves_the_shadow_by_one_minus_decay_towards_the_model()
    {
        var model = new Net(0);
        var ema = new Ema(model, new Net(1), 0.75);
        var before = ((Net)ema.Shadow).fc1.weight!.detach().clone();
        Assert.True(before.allclose(model.fc1.weight!, 0, 0));
        using (no_grad()) model.fc1.weight!.add_(4.0);
        ema.Update();
        var after = ((Net)ema.Shadow).fc1.weight!;
        Assert.True(after.allclose(before + 1.0, rtol: 0, atol: 1e-6));
        Assert.False(after.requires_grad);
    }

    [Fact]
    public void Ema_warmup_ramps_the_decay_so_a_short_run_forgets_the_initialisation()
    {
        var model = new Net(0);
        var plain = new Ema(model, new Net(1), 0.999);
        var warm = new Ema(model, new Net(2), 0.999, warmup: true);
        var start = model.fc1.weight!.detach().clone();
        using (no_grad()) model.fc1.weight!.add_(1.0);
        for (int i = 0; i < 100; i++) { plain.Update(); warm.Update(); }
        // plain: the shadow moved 1 − 0.999¹⁰⁰ ≈ 9.5 % of the way; warmup: the start keeps Π (1+n)/(10+n) = 9!·100!/109! ≈ 3e-13
        var movedPlain = (((Net)plain.Shadow).fc1.weight! - start).mean().item<float>();
        var movedWarm = (((Net)warm.Shadow).fc1.weight! - start).mean().item<float>();
        Assert.Equal(1 - Math.Pow(0.999, 100), movedPlain, 3);
        Assert.Equal(1.0, movedWarm, 3);
        Assert.Equal(100, warm.Updates);
    }

    [Fact]
    public void Schedules_follow_the_official_shapes()
    {
        var cos = new CosineWithWarmup(2e-4, 10, 110, 2e-5);
        Assert.Equal(0, cos.At(0));
        Assert.Equal(1e-4, cos.At(5), 12);
        Assert.Equal(2e-4, cos.At(10), 12);
        Assert.Equal((2e-4 + 2e-5) / 2, cos.At(60), 12);
        Assert.Equal(2e-5, cos.At(110), 12);
        Assert.Equal(2e-5, cos.At(500), 12);

        var lin = new ConstantThenLinear(2e-4, 40, 800, 2e-5);
        Assert.Equal(2e-4, lin.At(0));
        Assert.Equal(2e-4, lin.At(39));
        Assert.Equal(2e-4 + (2e-5 - 2e-4) * 0.5, lin.At(420), 12);
        Assert.Equal(2e-5, lin.At(800), 12);
        Assert.Equal(2e-5, lin.At(1400), 12);
    }

    [Fact]
    public void Exported_weights_keep_the_keys_and_can_be_stored_in_half_precision()
    {
        using var dir = new TempDir();
        var net = new Net(0);
        TrainingRun.ExportWeights(net, dir.File("w.safetensors"), float16: true);
        var loaded = RAE.Grid.Models.Checkpoints.SafeTensorsFile.ReadAll(dir.File("w.safetensors"));
        Assert.Equal(["fc1.bias", "fc1.weight", "fc2.bias", "fc2.weight"], loaded.Keys.Order());
        Assert.Equal(ScalarType.Float16, loaded["fc1.weight"].dtype);
        Assert.True(loaded["fc1.weight"].to(ScalarType.Float32).allclose(net.fc1.weight!, rtol: 1e-3, atol: 1e-4));
    }
}

using RAE.Grid.Contracts;

namespace RAE.Grid.Grid.Tests.Jobs;

/// <summary>
/// An item is conditioned on a class or a prompt, never both and never a sentinel; a request's conditions are checked in
/// one place, each problem naming its field.
/// </summary>
public sealed class ItemConditionTests
{
    [Fact]
    public void A_condition_is_a_class_or_a_prompt_never_both()
    {
        var cls = ItemCondition.Class(3);
        Assert.False(cls.IsPrompt);
        Assert.Equal((3, null), (cls.Label, cls.Text));
        var prompt = ItemCondition.Prompt("a sneaker");
        Assert.True(prompt.IsPrompt);
        Assert.Equal((null, "a sneaker"), (prompt.Label, prompt.Text));
        Assert.Equal(ItemCondition.Class(3), cls);
        Assert.NotEqual(ItemCondition.Class(0), ItemCondition.Prompt("0"));
        Assert.Throws<ArgumentNullException>(() => ItemCondition.Prompt(null!));
    }

    [Fact]
    public void A_requests_conditions_come_from_its_classes_or_its_prompts()
    {
        var classes = new GenerateSpec([4, 7], 2, 1);
        Assert.Equal([ItemCondition.Class(4), ItemCondition.Class(7)], Enumerable.Range(0, classes.Conditions()).Select(classes.ConditionAt));
        var prompts = GenerateSpec.ForPrompts(["a bag", "a boot"], 2, 1);
        Assert.Equal([ItemCondition.Prompt("a bag"), ItemCondition.Prompt("a boot")], Enumerable.Range(0, prompts.Conditions()).Select(prompts.ConditionAt));
        Assert.Empty(classes.ConditionProblems());
        Assert.Empty(prompts.ConditionProblems());
    }

    [Fact]
    public void Classes_and_prompts_together_neither_a_negative_class_or_a_blank_prompt_are_named()
    {
        Assert.Equal(["classes: a Generate job has classes or prompts, not both (prompts need a text-to-image bundle)"],
            new GenerateSpec([1], 1, 1, Prompts: ["a bag"]).ConditionProblems());
        Assert.Equal(["classes: a Generate job needs at least one class or prompt"], new GenerateSpec([], 1, 1).ConditionProblems());
        Assert.Equal(["classes: a Generate job needs at least one class or prompt"], new GenerateSpec(null!, 1, 1, Prompts: []).ConditionProblems());
        Assert.Equal(["classes[1]: -1 is negative"], new GenerateSpec([3, -1], 1, 1).ConditionProblems());
        Assert.Equal(["prompts[1]: empty", "prompts[2]: empty"], GenerateSpec.ForPrompts(["a bag", " ", null!], 1, 1).ConditionProblems());
    }
}

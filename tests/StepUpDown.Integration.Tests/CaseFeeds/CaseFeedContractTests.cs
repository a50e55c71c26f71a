using StepUpDown.Integration.Mail;
using System.Text.Json;
using StepUpDown.Domain.Records;
using StepUpDown.Integration.Tests.Fixtures;
using YamlDotNet.RepresentationModel;

namespace StepUpDown.Integration.Tests.CaseFeeds;

/// <summary>
/// The case feed contract a council implements ships with the project (<c>docs/case-feed.v1.yaml</c>).
/// The worker reads exactly the fields it names (the record types, field by field, at every
/// depth), and the test doubles serve only what it names, with every field it requires.
/// </summary>
public sealed class CaseFeedContractTests
{
    private static readonly OpenApiSchemas Contract = OpenApiSchemas.Load("case-feed.v1.yaml");

    [Theory]
    [InlineData("ChildRecord", typeof(ChildRecord))]
    [InlineData("Professional", typeof(Professional))]
    [InlineData("GpPracticeEntry", typeof(GpPracticeEntry))]
    public void TheWorkersTypes_ReadEveryFieldTheContractNames_AndNoOther(string schema, Type type)
    {
        var differences = Contract.Differences(schema, type).ToList();

        differences.ShouldBeEmpty();
    }

    [Fact]
    public void TheTestDoublesRecord_HasEveryRequiredField_AndOnlyFieldsTheContractNames()
    {
        var served = JsonSerializer.SerializeToElement(Children.Record("SC-1", "CIN", 1));
        var schema = Contract["ChildRecord"];
        var names = OpenApiSchemas.Properties(schema).Select(p => p.Name).ToHashSet(StringComparer.Ordinal);

        served.EnumerateObject().Select(p => p.Name).Where(name => !names.Contains(name)).ShouldBeEmpty();
        OpenApiSchemas.Required(schema).Where(name => !served.TryGetProperty(name, out _)).ShouldBeEmpty();
    }

    [Fact]
    public void TheComparison_SeesAFieldTheTypeDoesNotRead_AndOneTheContractDoesNotName()
    {
        var schema = new YamlMappingNode
        {
            { "type", "object" },
            { "properties", new YamlMappingNode { { "name", new YamlMappingNode { { "type", "string" } } }, { "nickname", new YamlMappingNode { { "type", "string" } } } } },
        };

        Contract.Compare(schema, typeof(GpPracticeRef), "Sample").ShouldBe(["Sample.nickname: in the contract, not read", "Sample.odsCode: read, not in the contract"], ignoreOrder: true);
    }
}

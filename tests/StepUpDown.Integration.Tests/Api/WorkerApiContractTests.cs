using StepUpDown.Integration.Tests.Fixtures;
using StepUpDown.Worker.Api;

namespace StepUpDown.Integration.Tests.Api;

/// <summary>The worker's own API is documented as OpenAPI under <c>docs/</c>, and the documents name the fields it answers with.</summary>
public sealed class WorkerApiContractTests
{
    [Fact]
    public void TheLeadLookupsAnswer_IsTheDocumentedOne()
    {
        var differences = OpenApiSchemas.Load("lead-lookup.v1.yaml").Differences("LeadAnswer", typeof(LeadAnswer)).ToList();

        differences.ShouldBeEmpty();
    }
}

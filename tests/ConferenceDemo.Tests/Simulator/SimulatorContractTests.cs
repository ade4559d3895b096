using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ConferenceDemo.Tests.Telnyx;
using static ConferenceDemo.Tests.Simulator.SimulatorServer;

namespace ConferenceDemo.Tests.Simulator;

/// <summary>Every request the simulator accepted in an end-to-end run is one Telnyx's spec accepts too (Prism says so).</summary>
public sealed class SimulatorContractTests(PrismMock prism) : IClassFixture<PrismMock>
{
    [Fact]
    public async Task EveryRequestTheSimulatorAccepted_IsAcceptedByPrism()
    {
        IReadOnlyList<Command> commands;
        await using (var server = await SimulatorServer.StartAsync())
        {
            var a = await server.DialInAsync("+15550001111");
            await server.WaitForAsync(c => OnHold(c[a]), "the first caller on hold");
            var b = await server.DialInAsync("+15550002222");
            await server.WaitForAsync(c => State(c[b]) == "in_conference" && !OnHold(c[a]), "the second caller in");
            foreach (var action in new[] { "mute", "unmute", "hold", "unhold", "record-start", "record-stop" })
            {
                using var response = await server.Client.GetAsync($"/telnyx-conf-v2/{action}?participant={Uri.EscapeDataString(a)}");
                Assert.True(response.IsSuccessStatusCode, $"{action}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }

            using (var pull = await server.Client.PostAsJsonAsync("/api/calls", new { number = "+15557654321" }))
            {
                Assert.True(pull.IsSuccessStatusCode);
            }

            await server.WaitForAsync(c => c.Values.Count(call => State(call) == "in_conference") == 3, "the pulled leg in");
            foreach (var id in (await server.CallsAsync()).Keys)
            {
                await server.HangUpAsync(id);
            }

            await server.WaitForAsync(c => c.Values.All(call => State(call) == "ended"), "everyone gone");
            commands = await server.CommandsAsync();
        }

        // A clean run: the server sent nothing the simulator refused, but for a leg or conference that had just ended.
        Assert.All(commands, c => Assert.True(c.Status is >= 200 and < 300 || IsExpectedRefusal(c),
            $"the simulator refused {c.Method} {c.Path} {c.Body}: {c.Status} {c.ErrorCode}"));
        var kinds = commands.Select(c => $"{c.Method} {c.Path.Split('/')[^1]}").ToHashSet();
        Assert.Superset(new HashSet<string> { "POST answer", "POST speak", "POST conferences", "POST join", "POST hold", "POST unhold",
            "POST mute", "POST unmute", "POST record_start", "POST record_stop", "POST calls" }, kinds);

        using var http = new HttpClient { BaseAddress = prism.BaseUrl };
        foreach (var (method, path, query, body, _, _) in commands.Where(c => c.Status is >= 200 and < 300))
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path["/simulator".Length..].TrimStart('/') + query);
            if (method == "POST")
            {
                request.Content = new StringContent(body, Encoding.UTF8, "application/json");
            }

            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "any-key");
            using var response = await http.SendAsync(request);
            Assert.True(response.IsSuccessStatusCode, $"Prism refused {method} {path}{query} {body}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }
}

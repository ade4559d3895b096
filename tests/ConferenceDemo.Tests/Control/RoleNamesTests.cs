using ConferenceDemo.Control;
using ConferenceDemo.Rooms;

namespace ConferenceDemo.Tests.Control;

public sealed class RoleNamesTests
{
    [Theory]
    [InlineData(ParticipantRole.Member, "member")]
    [InlineData(ParticipantRole.Moderator, "moderator")]
    public void EveryRole_IsWrittenByItsName_AndReadBackAsItself(ParticipantRole role, string name)
    {
        Assert.Equal(name, RoleNames.Of(role));
        Assert.True(RoleNames.TryParse(RoleNames.Of(role), out var read));
        Assert.Equal(role, read);
    }

    [Fact]
    public void NoRole_IsAMember()
    {
        Assert.True(RoleNames.TryParse(null, out var role));
        Assert.Equal(ParticipantRole.Member, role);
    }

    [Theory]
    [InlineData("")]
    [InlineData("owner")]
    [InlineData("MODERATOR")]
    [InlineData(" moderator")]
    public void AnyOtherText_IsRefused(string name) => Assert.False(RoleNames.TryParse(name, out _));
}

# Build: docker build -t conferencedemo .
# Run:   docker run --rm -p 8081:8081 --env-file .env conferencedemo
# .ci/run runs the same restore and publish commands (there is no Docker engine on the build machines).

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src

# Restore in its own layer: it only reruns when the project or package files change.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/ConferenceDemo/ConferenceDemo.csproj src/ConferenceDemo/
RUN dotnet restore src/ConferenceDemo/ConferenceDemo.csproj

COPY appsettings.json ./
COPY src/ src/
RUN dotnet publish src/ConferenceDemo/ConferenceDemo.csproj -c Release --no-restore -o /app/publish

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app/publish .
# The SQLite file (STORAGE_CONNECTION_STRING defaults to data/conferencedemo.db under /app): a volume the app user owns.
RUN mkdir -p /app/data && chown "$APP_UID" /app/data
VOLUME /app/data
# PORT decides the listen port; clear the base image's ASPNETCORE_HTTP_PORTS=8080 so it does not compete.
ENV PORT=8081 \
    ASPNETCORE_HTTP_PORTS=
EXPOSE 8081
USER $APP_UID
ENTRYPOINT ["dotnet", "ConferenceDemo.dll"]

# Build stage: the same `dotnet publish` CI could run.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/StepUpDown.Worker/StepUpDown.Worker.csproj -c Release -o /app

# Runtime: ASP.NET Core runtime only; config/ travels beside the binary.
FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
USER app
ENV Urls=http://0.0.0.0:8080
EXPOSE 8080
ENTRYPOINT ["dotnet", "StepUpDown.Worker.dll"]

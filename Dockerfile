# Build stage: the same `dotnet publish` commands CI runs (.ci/run; a test keeps them equal).
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/StepUpDown.Worker/StepUpDown.Worker.csproj -c Release -o /app/worker
RUN dotnet publish src/StepUpDown.Simulator/StepUpDown.Simulator.csproj -c Release -o /app/simulator
RUN dotnet publish src/StepUpDown.SsdFeed/StepUpDown.SsdFeed.csproj -c Release -o /app/ssd-feed

# The case feed simulator (fictional families), for trying the worker out.
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS simulator
WORKDIR /app
COPY --from=build /app/simulator .
USER app
ENV Simulator__Urls=http://0.0.0.0:9090
EXPOSE 9090
ENTRYPOINT ["dotnet", "StepUpDown.Simulator.dll"]

# The SSD feed (optional): the case feed contract served from a council's Standard Safeguarding Dataset.
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS ssd-feed
WORKDIR /app
COPY --from=build /app/ssd-feed .
USER app
ENV SsdFeed__Urls=http://0.0.0.0:9095
EXPOSE 9095
ENTRYPOINT ["dotnet", "StepUpDown.SsdFeed.dll"]

# The worker (the default target): ASP.NET Core runtime only; config/ travels beside the binary.
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS worker
WORKDIR /app
COPY --from=build /app/worker .
USER app
ENV Urls=http://0.0.0.0:8080
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s --retries=5 CMD ["dotnet", "StepUpDown.Worker.dll", "health-check", "http://127.0.0.1:8080/health/ready"]
ENTRYPOINT ["dotnet", "StepUpDown.Worker.dll"]

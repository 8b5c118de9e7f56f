export type { AppCanister, AppDefinition, AppFrontend } from './app_definition.ts';
export { AppRecords } from './app_records.ts';
export { appNames, appsDirectory, type CatalogedApp, loadApps } from './catalog.ts';
export { buildAppCanister, type DeployedApp, type DeployTarget, deployApp } from './deploy_app.ts';

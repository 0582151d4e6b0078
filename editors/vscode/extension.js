// The idpc extension: starts `idpc lsp` for .idp files (docs/editors.md).
'use strict';

const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration('idpc').get('path') || 'idpc';
  const serverOptions = {
    command,
    args: ['lsp'],
    transport: TransportKind.stdio,
  };
  const clientOptions = {
    documentSelector: [{ language: 'idp' }],
    synchronize: {
      // other .idp files of the configuration change on disk: recompile
      fileEvents: vscode.workspace.createFileSystemWatcher('**/*.idp'),
    },
  };
  client = new LanguageClient('idpc', 'idpc', serverOptions, clientOptions);
  context.subscriptions.push({ dispose: () => client && client.stop() });
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };

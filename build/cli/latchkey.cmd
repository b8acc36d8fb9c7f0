@echo off
rem The installed `latchkey` command on Windows: runs the CLI beside this file on the Node found on PATH.
node "%~dp0latchkey.js" %*

; Frontdesk's Windows installer, built on Linux with Debian's makensis (scripts/package windows).
;
; It makes the choices that tauri.conf.json's bundle.windows makes for Tauri's own NSIS bundler,
; which the release workflow uses on Windows (Tauri's bundler downloads a plugin of its own from
; GitHub and so cannot run offline here):
; - per user: no administrator, installed under %LOCALAPPDATA%\Frontdesk, registry keys in HKCU;
; - the frontdesk:// scheme registered for the current user (the app's deep links);
; - WebView2: the bootstrapper is downloaded and run only when the Evergreen runtime is missing
;   (Windows 11 and up-to-date Windows 10 have it), which keeps the installer small.
; Defines given by scripts/package: VERSION APP_EXE LOADER_DLL CLI_EXE ICON OUT_FILE.

Unicode true
ManifestDPIAware true
SetCompressor /SOLID lzma
RequestExecutionLevel user

!define PRODUCT "Frontdesk"
!define PUBLISHER "Frontdesk"
!define UNINSTKEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${PRODUCT}"
!define WEBVIEW2_GUID "{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}"

Name "${PRODUCT}"
OutFile "${OUT_FILE}"
InstallDir "$LOCALAPPDATA\${PRODUCT}"
InstallDirRegKey HKCU "Software\${PUBLISHER}\${PRODUCT}" ""
VIProductVersion "${VERSION}.0"
VIAddVersionKey "ProductName" "${PRODUCT}"
VIAddVersionKey "FileDescription" "${PRODUCT} installer"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "LegalCopyright" "${PUBLISHER}"

!include MUI2.nsh
!include LogicLib.nsh
!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_FINISHPAGE_RUN "$INSTDIR\frontdesk.exe"
!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

Function InstallWebView2
  ; The Evergreen runtime registers its version ("pv") per machine or per user.
  ReadRegStr $0 HKLM "SOFTWARE\WOW6432Node\Microsoft\EdgeUpdate\Clients\${WEBVIEW2_GUID}" "pv"
  ${If} $0 == ""
    ReadRegStr $0 HKCU "Software\Microsoft\EdgeUpdate\Clients\${WEBVIEW2_GUID}" "pv"
  ${EndIf}
  ${If} $0 != ""
  ${AndIf} $0 != "0.0.0.0"
    DetailPrint "WebView2 $0 is installed"
    Return
  ${EndIf}
  DetailPrint "Downloading the WebView2 runtime's installer from Microsoft"
  Delete "$TEMP\MicrosoftEdgeWebview2Setup.exe"
  nsExec::ExecToLog `powershell -NoProfile -NonInteractive -Command "Invoke-WebRequest -UseBasicParsing -Uri 'https://go.microsoft.com/fwlink/p/?LinkId=2124703' -OutFile $$env:TEMP\MicrosoftEdgeWebview2Setup.exe"`
  Pop $0
  ${IfNot} ${FileExists} "$TEMP\MicrosoftEdgeWebview2Setup.exe"
    MessageBox MB_ICONSTOP "Frontdesk needs Microsoft Edge WebView2, which could not be downloaded. Connect to the internet, or ask IT to install WebView2, and run this installer again."
    Abort
  ${EndIf}
  DetailPrint "Installing WebView2"
  ExecWait '"$TEMP\MicrosoftEdgeWebview2Setup.exe" /silent /install' $0
  Delete "$TEMP\MicrosoftEdgeWebview2Setup.exe"
  ${If} $0 <> 0
    MessageBox MB_ICONSTOP "WebView2 could not be installed (error $0)."
    Abort
  ${EndIf}
FunctionEnd

Section "Frontdesk" SecMain
  SectionIn RO
  Call InstallWebView2
  SetOutPath "$INSTDIR"
  File "/oname=frontdesk.exe" "${APP_EXE}"
  File "/oname=WebView2Loader.dll" "${LOADER_DLL}"
  File "/oname=frontdesk-cli.exe" "${CLI_EXE}"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  ; frontdesk:// opens the app (tauri-plugin-deep-link reads the link from its arguments).
  WriteRegStr HKCU "Software\Classes\frontdesk" "" "URL:Frontdesk"
  WriteRegStr HKCU "Software\Classes\frontdesk" "URL Protocol" ""
  WriteRegStr HKCU "Software\Classes\frontdesk\DefaultIcon" "" '"$INSTDIR\frontdesk.exe",0'
  WriteRegStr HKCU "Software\Classes\frontdesk\shell\open\command" "" '"$INSTDIR\frontdesk.exe" "%1"'

  WriteRegStr HKCU "Software\${PUBLISHER}\${PRODUCT}" "" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTKEY}" "DisplayName" "${PRODUCT}"
  WriteRegStr HKCU "${UNINSTKEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTKEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKCU "${UNINSTKEY}" "DisplayIcon" '"$INSTDIR\frontdesk.exe"'
  WriteRegStr HKCU "${UNINSTKEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTKEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegDWORD HKCU "${UNINSTKEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTKEY}" "NoRepair" 1

  CreateShortcut "$SMPROGRAMS\${PRODUCT}.lnk" "$INSTDIR\frontdesk.exe"
  CreateShortcut "$DESKTOP\${PRODUCT}.lnk" "$INSTDIR\frontdesk.exe"
SectionEnd

; The uninstaller removes the program only: the clinic's data folder (%APPDATA%\app.frontdesk.desk)
; and the keyring's entries stay, so that reinstalling finds the schedule again.
Section "Uninstall"
  Delete "$INSTDIR\frontdesk.exe"
  Delete "$INSTDIR\WebView2Loader.dll"
  Delete "$INSTDIR\frontdesk-cli.exe"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  Delete "$SMPROGRAMS\${PRODUCT}.lnk"
  Delete "$DESKTOP\${PRODUCT}.lnk"
  DeleteRegKey HKCU "Software\Classes\frontdesk"
  DeleteRegKey HKCU "${UNINSTKEY}"
  DeleteRegKey HKCU "Software\${PUBLISHER}\${PRODUCT}"
SectionEnd

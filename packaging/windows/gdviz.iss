; Inno Setup 6 script of gdviz's Windows installer (dist\gdviz-<version>-windows-x64-setup.exe).
; Built by scripts/build_installers.sh (Git Bash) after PyInstaller made dist\gdviz\, or by hand:
;   iscc /DAppVersion=0.1.0 packaging\windows\gdviz.iss
; Installs for the current user by default (no administrator rights needed; "all users" can be
; chosen in a dialog or with /ALLUSERS), with a Start-menu entry, an optional desktop icon and an
; uninstaller (Settings > Apps, or the Start-menu entry). Silent: setup.exe /VERYSILENT.
; Paths are relative to this file.

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#define AppName "gdviz"
#define AppExe "gdviz.exe"

[Setup]
; The AppId identifies the app for upgrades and the uninstaller: never change it.
AppId={{6F1C9E52-7B0D-4C1A-9E3F-2D5B8A4C7E10}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=The gdviz team
AppComments=See gradient descent: learning rate, batch size and epochs
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=commandline dialog
ArchitecturesAllowed=x64
ArchitecturesInstallIn64BitMode=x64
SetupIconFile=..\..\resources\icons\gdviz.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName} {#AppVersion}
OutputDir=..\..\dist
OutputBaseFilename=gdviz-{#AppVersion}-windows-x64-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "..\..\dist\gdviz\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"; Comment: "See gradient descent"
Name: "{group}\{cm:UninstallProgram,{#AppName}}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[InstallDelete]
; An upgrade replaces the whole bundle: files of an older version must not linger in _internal.
Type: filesandordirs; Name: "{app}\_internal"

[UninstallDelete]
Type: filesandordirs; Name: "{app}\_internal"

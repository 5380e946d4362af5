// The one module that imports the terminal library. blessed 0.1.81 (see the README's TUI
// section for why this package); neo-blessed and reblessed keep the same API, so a switch
// is this one import.

import blessed from 'blessed';
import type { Widgets } from 'blessed';

export { blessed };
export type Screen = Widgets.Screen;
export type Box = Widgets.BoxElement;
export type KeyEvent = Widgets.Events.IKeyEventArg;

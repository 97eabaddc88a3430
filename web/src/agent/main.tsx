import { render } from 'preact';
import { getLang } from '../lib/i18n';
import '../styles/base.css';
import '../styles/agent.css';
import { Console } from './Console';

document.documentElement.lang = getLang();
render(<Console />, document.getElementById('app')!);

import { render } from 'preact';
import { getLang } from '../lib/i18n';
import '../styles/base.css';
import '../styles/agent.css';
import '../styles/admin.css';
import { Dashboard } from './Dashboard';

document.documentElement.lang = getLang();
render(<Dashboard />, document.getElementById('app')!);

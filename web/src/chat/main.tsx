import { render } from 'preact';
import { getLang } from '../lib/i18n';
import '../styles/base.css';
import '../styles/chat.css';
import { Chat } from './Chat';

document.documentElement.lang = getLang();
const embed = new URLSearchParams(location.search).get('embed') === '1';
if (embed) document.body.classList.add('embedded');
render(<Chat embed={embed} />, document.getElementById('app')!);

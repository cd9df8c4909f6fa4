import { mount } from 'svelte';
import App from './App.svelte';
import { connectApi } from './lib/connectApi.js';
import './styles.css';

const { api, connection } = connectApi();
mount(App, { target: document.getElementById('app')!, props: { api, connection } });

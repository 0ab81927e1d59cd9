namespace Donations.Api.Features.Checkout;

/// <summary>
/// Style and script of the donation pages, inlined so nothing is fetched from elsewhere.
/// Colours keep at least 4.5:1 contrast; focus is always visible; the layout is one column
/// that widens up to a readable measure.
/// </summary>
internal static class DonatePageAssets
{
    public const string Css = """
        *{box-sizing:border-box}
        html{-webkit-text-size-adjust:100%}
        body{margin:0;background:#f5f2eb;color:#1c1f23;font:1rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
        a{color:#0a4f9e}
        a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible{outline:3px solid #f2b705;outline-offset:2px}
        .skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem;z-index:2}
        .masthead{padding:1.25rem 1rem;text-align:center;border-bottom:1px solid #dcd6c8;background:#fffdf8}
        .brand{font:700 1.6rem/1.2 Georgia,"Times New Roman",serif;color:#1c1f23;text-decoration:none;letter-spacing:.01em}
        .card{max-width:34rem;margin:1rem .75rem;background:#fff;border:1px solid #dcd6c8;border-radius:12px;padding:1.5rem 1.25rem;box-shadow:0 1px 3px rgba(0,0,0,.06)}
        @media (min-width:36rem){.card{padding:2rem 2.25rem;margin:2.5rem auto}}
        h1{font:700 1.75rem/1.2 Georgia,"Times New Roman",serif;margin:0 0 .5rem}
        h2{font-size:1.1rem;margin:0 0 .5rem}
        .lede{color:#3f4650;margin:0 0 1.5rem}
        fieldset{border:0;margin:0 0 1.5rem;padding:0;min-width:0}
        legend,.label{display:block;font-weight:650;margin-bottom:.5rem;padding:0}
        .hint{color:#4a5260;font-size:.9rem;margin:.35rem 0 0}
        .optional{font-weight:400;color:#4a5260}
        .choices{display:grid;gap:.5rem;grid-template-columns:1fr 1fr}
        @media (min-width:30rem){.choices.amounts{grid-template-columns:repeat(4,1fr)}}
        .choices.two{grid-template-columns:1fr 1fr}
        .choices.three{grid-template-columns:1fr 1fr 1fr}
        .choice{position:relative}
        .choice input{position:absolute;opacity:0;inset:0;width:100%;height:100%;margin:0;cursor:pointer;z-index:1}
        .choice label{display:block;text-align:center;padding:.7rem .5rem;border:2px solid #9aa3ae;border-radius:8px;font-weight:650;background:#fff;cursor:pointer}
        .choice input:checked+label{border-color:#0a4f9e;background:#0a4f9e;color:#fff}
        .choice input:focus-visible+label{outline:3px solid #f2b705;outline-offset:2px}
        .field{margin-top:.9rem}
        .field label{display:block;font-weight:650;margin-bottom:.35rem}
        .money{display:flex;align-items:stretch;border:2px solid #9aa3ae;border-radius:8px;background:#fff;overflow:hidden}
        .money:focus-within{border-color:#0a4f9e;outline:3px solid #f2b705;outline-offset:2px}
        .money span{padding:.6rem .7rem;background:#eef0f3;color:#3f4650;font-weight:650}
        .money input{border:0;flex:1;min-width:0}
        .money input:focus-visible{outline:none}
        input[type=text],input[type=email],select{font:inherit;padding:.6rem .7rem;width:100%;border:2px solid #9aa3ae;border-radius:8px;color:#1c1f23;background:#fff}
        .money input[type=text]{border:0;border-radius:0}
        .amount-row{display:grid;grid-template-columns:1fr auto;gap:.75rem;align-items:start}
        .check{display:flex;gap:.7rem;align-items:flex-start;padding:.9rem;border:1px solid #dcd6c8;border-radius:8px;background:#fbfaf6}
        .check input{width:1.35rem;height:1.35rem;margin:.1rem 0 0;flex:none;accent-color:#0a4f9e}
        .check label{font-weight:400}
        [aria-invalid=true],.money.invalid{border-color:#b3261e}
        .error{color:#b3261e;font-weight:650;margin:.35rem 0 0}
        .alert{border:2px solid #b3261e;border-left-width:6px;border-radius:8px;padding:.8rem 1rem;margin:0 0 1.5rem;background:#fdf3f2}
        .alert ul{margin:.25rem 0 0;padding-left:1.2rem}
        .summary{font-size:1.05rem;margin:1.5rem 0 .75rem}
        .donate,.button{display:block;width:100%;font-family:inherit;font-weight:700;font-size:1.1rem;line-height:1.2;padding:.95rem 1rem;border:0;border-radius:8px;background:#0a4f9e;color:#fff;cursor:pointer;text-align:center;text-decoration:none}
        .donate:hover,.button:hover{background:#083f7e}
        .donate[aria-disabled=true]{background:#4a5260;cursor:progress}
        .secure{display:flex;gap:.5rem;align-items:center;justify-content:center;color:#4a5260;font-size:.9rem;margin:.75rem 0 0}
        .secure svg{flex:none}
        .colophon{max-width:34rem;margin:0 auto 2rem;padding:0 1.25rem;color:#4a5260;font-size:.85rem;text-align:center}
        .amount-total{font-size:1.4rem;font-weight:700}
        """;

    /// <summary>
    /// Shows the fee and the total as the reader changes the form. Uses BigInt so the fee is the
    /// exact integer the server charges (<see cref="ProcessingFee"/>), never a float near it.
    /// </summary>
    public const string Script = """
        (function(){
        var form=document.getElementById('donate-form');if(!form||typeof BigInt!=='function')return;
        var cfg=JSON.parse(document.getElementById('donate-config').textContent);
        var custom=document.getElementById('custom-amount'),cur=document.getElementById('currency');
        var feeBox=document.getElementById('cover-fee'),feeText=document.getElementById('fee-amount');
        var summary=document.getElementById('summary'),button=form.querySelector('.donate');
        var hint=document.getElementById('amount-hint'),feeHint=document.getElementById('fee-hint');
        function currency(){return cur?cur.value:cfg.default}
        function group(s){return s.replace(/\B(?=(\d{3})+(?!\d))/g,',')}
        function format(minor,c,compact){var u=cfg.currencies[c],f=BigInt(u.factor),w=minor/f,r=minor%f;
          var s=u.symbol+group(w.toString());if(u.exp>0&&!(compact&&r===0n))s+='.'+r.toString().padStart(u.exp,'0');return s}
        function parse(text,c){var u=cfg.currencies[c];text=(text||'').trim();if(text.indexOf(u.symbol.trim())===0)text=text.slice(u.symbol.trim().length).trim();
          text=text.replace(/,/g,'');var m=/^(\d{1,12})(?:\.(\d*))?$/.exec(text);if(!m)return null;var d=(m[2]||'').replace(/0+$/,'');
          if(d.length>u.exp)return null;return BigInt(m[1])*BigInt(u.factor)+(u.exp?BigInt((d+'000').slice(0,u.exp)):0n)}
        function gift(c){if(custom.value.trim())return parse(custom.value,c);var p=form.querySelector('input[name=amount]:checked');return p?parse(p.value,c):null}
        function fee(g,c){var num=BigInt(cfg.pctNum),den=BigInt(cfg.pctDen),gross=(g+BigInt(cfg.currencies[c].fixed))*den,div=den-num;
          var step=BigInt(cfg.currencies[c].step),charged=(gross+div-1n)/div;return (charged+step-1n)/step*step-g}
        function update(){var c=currency(),u=cfg.currencies[c],g=gift(c),freq=form.querySelector('input[name=frequency]:checked').value;
          document.querySelectorAll('[data-symbol]').forEach(function(e){e.textContent=u.symbol.trim()});
          var range=format(BigInt(u.min),c,true)+' to '+format(BigInt(u.max),c,true);
          hint.textContent='Any amount from '+range+'.';feeHint.textContent='Card processing costs us '+cfg.describe[c]+' of each payment.';
          var ok=g!==null&&g%BigInt(u.step)===0n&&g>=BigInt(u.min)&&g<=BigInt(u.max);
          if(!ok){feeText.textContent=cfg.describe[c];summary.textContent='Choose an amount from '+range+'.';button.textContent='Continue to secure payment';return}
          var f=fee(g,c),total=feeBox.checked?g+f:g;feeText.textContent=format(f,c);
          summary.textContent='You will give '+format(total,c)+(freq==='monthly'?' every month':freq==='annual'?' every year':' once')+(feeBox.checked?' ('+format(g,c)+' + '+format(f,c)+' for fees).':'.');
          button.textContent='Donate '+format(total,c)+(freq==='monthly'?' monthly':freq==='annual'?' yearly':'')}
        custom.addEventListener('input',function(){if(custom.value.trim())form.querySelectorAll('input[name=amount]').forEach(function(r){r.checked=false});update()});
        form.querySelectorAll('input[name=amount]').forEach(function(r){r.addEventListener('change',function(){custom.value='';update()})});
        form.addEventListener('change',update);
        form.addEventListener('submit',function(e){if(button.getAttribute('aria-disabled')==='true'){e.preventDefault();return}
          button.setAttribute('aria-disabled','true');button.textContent='Opening secure payment…'});
        window.addEventListener('pageshow',function(){button.removeAttribute('aria-disabled');update()});
        update()})();
        """;
}
